import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service.js';
import { assertMayGrantPermissions, roleInReach } from '../access/privilege.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { fetchPage, orderBy, toPage, whereKeyword, type Page, type SortSpec } from '../common/pagination/page.js';
import { ROLE_PERMISSIONS, replaceLinks } from '../database/link-set.js';
import { runTransaction, supportsRowLocks } from '../database/transaction.js';
import { findPermissionsOrFail } from '../permissions/permission-lookup.js';
import { SystemRole } from '../permissions/permission-catalogue.js';
import { toRoleDto, type CreateRoleDto, type ListRolesQuery, type RoleDto, type UpdateRoleDto } from './dto/role.dto.js';
import { Role } from './role.entity.js';

const SORT: SortSpec<NonNullable<ListRolesQuery['sort']>> = {
  columns: { id: 'r.id', code: 'r.code', name: 'r.name', created_at: 'r.createdAt', updated_at: 'r.updatedAt' },
  default: { field: 'id', order: 'asc' },
  tiebreak: 'r.id',
};

/**
 * Role administration (API.md §5).
 *
 * Rules, checked in this order:
 * - 404 NOT_FOUND: no such role. 400 VALIDATION_FAILED: a `permission_ids` entry names no permission.
 * - 409 PROTECTED_RESOURCE: a system role cannot be deleted or re-coded; SUPER_ADMIN's
 *   permission set cannot be set (it has every permission by definition, API.md §2).
 * - 403 FORBIDDEN (callers who are not SUPER_ADMIN): a role they could not assign
 *   (SUPER_ADMIN, or one carrying a permission they lack) cannot be changed, deleted or
 *   have its permissions set; a permission they do not hold cannot be put into a role
 *   (at creation or by setting the set) nor taken out of one.
 * Every change invalidates all cached access after the commit, so it holds at the
 * affected users' next request.
 */
@Injectable()
export class RolesService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Role) private readonly roles: Repository<Role>,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListRolesQuery): Promise<Page<RoleDto>> {
    const qb = this.roles.createQueryBuilder('r');
    whereKeyword(qb, ['r.code', 'r.name', 'r.description'], query.keyword);
    orderBy(qb, SORT, query.sort, query.order);
    const { rows, total } = await fetchPage(qb, query);
    // The page is chosen without joins (so LIMIT counts roles), then its permissions are loaded.
    const withPerms = rows.length ? await this.roles.find({ where: { id: In(rows.map((r) => r.id)) }, relations: { permissions: true } }) : [];
    const byId = new Map(withPerms.map((r) => [r.id, r]));
    return toPage(rows.map((r) => toRoleDto(byId.get(r.id) ?? r)), total, query);
  }

  async get(id: number): Promise<RoleDto> {
    return toRoleDto(await this.findOrFail(this.dataSource.manager, id));
  }

  async create(me: Principal, dto: CreateRoleDto, ctx: RequestContext): Promise<RoleDto> {
    const created = await runTransaction(this.dataSource, async (em) => {
      const permissions = await findPermissionsOrFail(em, dto.permission_ids ?? []);
      assertMayGrantPermissions(me.access, permissions.map((p) => p.code));
      // A taken code fails on UQ_roles_code → 409 ROLE_CODE_TAKEN (global filter).
      const { identifiers } = await em.getRepository(Role).insert({ code: dto.code, name: dto.name, description: dto.description ?? null, isSystem: false });
      const id = Number(identifiers[0].id);
      await replaceLinks(em, ROLE_PERMISSIONS, id, [], permissions.map((p) => p.id));
      await this.audit.record(
        { action: 'role.create', actorId: me.userId, targetType: 'role', targetId: id, detail: { code: dto.code, permission_ids: permissions.map((p) => p.id).sort((a, b) => a - b) } },
        ctx,
        em,
      );
      return this.findOrFail(em, id);
    });
    // No cache to drop: nobody holds a role that did not exist.
    return toRoleDto(created);
  }

  async update(me: Principal, id: number, dto: UpdateRoleDto, ctx: RequestContext): Promise<RoleDto> {
    const { role: saved, changed } = await runTransaction(this.dataSource, async (em) => {
      const role = await this.findOrFail(em, id);
      const recode = dto.code !== undefined && dto.code !== role.code;
      if (recode && role.isSystem) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      if (!roleInReach(me.access, role)) throw new AppException(ErrorCode.FORBIDDEN);
      const changes: Partial<Role> = {};
      if (recode) changes.code = dto.code;
      if (dto.name !== undefined && dto.name !== role.name) changes.name = dto.name;
      if (dto.description !== undefined && dto.description !== role.description) changes.description = dto.description;
      const fields = Object.keys(changes);
      if (!fields.length) return { role, changed: false };
      await em.getRepository(Role).update({ id }, changes);
      await this.audit.record(
        { action: 'role.update', actorId: me.userId, targetType: 'role', targetId: id, detail: { fields, ...(recode ? { from: role.code, to: dto.code } : {}) } },
        ctx,
        em,
      );
      return { role: await this.findOrFail(em, id), changed: true };
    });
    // Role codes and names are part of every holder's Me.
    if (changed) await this.access.invalidateAll();
    return toRoleDto(saved);
  }

  async remove(me: Principal, id: number, ctx: RequestContext): Promise<void> {
    await runTransaction(this.dataSource, async (em) => {
      const role = await this.findOrFail(em, id);
      if (role.isSystem) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      if (!roleInReach(me.access, role)) throw new AppException(ErrorCode.FORBIDDEN);
      // user_roles and role_permissions rows go with it (ON DELETE CASCADE).
      await em.getRepository(Role).delete({ id });
      await this.audit.record({ action: 'role.delete', actorId: me.userId, targetType: 'role', targetId: id, detail: { code: role.code } }, ctx, em);
    });
    await this.access.invalidateAll();
  }

  /** `permission_ids` replaces the role's set. */
  async setPermissions(me: Principal, id: number, permissionIds: number[], ctx: RequestContext): Promise<RoleDto> {
    const updated = await runTransaction(this.dataSource, async (em) => {
      // Row lock first: concurrent sets of one role run one after the other on MySQL,
      // each reading the set the previous one left.
      const role = await this.findOrFail(em, id, true);
      if (role.code === SystemRole.SUPER_ADMIN) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      const next = await findPermissionsOrFail(em, permissionIds);
      if (!roleInReach(me.access, role)) throw new AppException(ErrorCode.FORBIDDEN);
      const current = role.permissions;
      const changed = [...next.filter((p) => !current.some((c) => c.id === p.id)), ...current.filter((c) => !next.some((p) => p.id === c.id))];
      assertMayGrantPermissions(me.access, changed.map((p) => p.code));
      const { added, removed } = await replaceLinks(em, ROLE_PERMISSIONS, id, current.map((p) => p.id), next.map((p) => p.id));
      await this.audit.record(
        {
          action: 'role.permissions.set',
          actorId: me.userId,
          targetType: 'role',
          targetId: id,
          detail: { permission_ids: next.map((p) => p.id).sort((a, b) => a - b), added, removed },
        },
        ctx,
        em,
      );
      return this.findOrFail(em, id);
    });
    await this.access.invalidateAll();
    return toRoleDto(updated);
  }

  private async findOrFail(em: EntityManager, id: number, lock = false): Promise<Role> {
    if (lock && supportsRowLocks(em)) {
      await em.getRepository(Role).createQueryBuilder('r').select('r.id').where('r.id = :id', { id }).setLock('pessimistic_write').getOne();
    }
    const role = await em.getRepository(Role).findOne({ where: { id }, relations: { permissions: true } });
    if (!role) throw new AppException(ErrorCode.NOT_FOUND);
    return role;
  }
}
