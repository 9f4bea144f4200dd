import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository, type EntityManager } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { SystemRole } from '../authz/permission-catalogue.js';
import type { Principal } from '../authz/principal.js';
import { assertMayGrantPermissions, roleInReach } from '../authz/privilege.js';
import { AuditService } from '../audit/audit.service.js';
import {
  assertDeletable,
  entryChange,
  fetchCataloguePage,
  findEntriesOrFail,
  findEntryOrFail,
} from '../common/catalogue/catalogue-admin.js';
import { replaceLinks, type Junction } from '../common/database/link-set.js';
import { runTransaction, supportsRowLocks } from '../common/database/transaction.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { toPage, type Page } from '../common/pagination/page.js';
import { PermissionsService } from '../permissions/permissions.service.js';
import { toRoleDto, type CreateRoleDto, type ListRolesQuery, type RoleDto, type UpdateRoleDto } from './dto/role.dto.js';
import { Role } from './role.entity.js';

/** Roles own the junction of their permissions. */
const ROLE_PERMISSIONS: Junction = { table: 'role_permissions', owner: 'role_id', item: 'permission_id' };

/**
 * Role administration (docs/api.md §5), and the role lookups other features use.
 *
 * Rules, checked in this order:
 * - 404 NOT_FOUND: no such role. 400 VALIDATION_FAILED: a `permission_ids` entry names no permission.
 * - 409 PROTECTED_RESOURCE: a system role cannot be deleted or re-coded; SUPER_ADMIN's
 *   permission set cannot be set (it has every permission by definition, docs/api.md §2).
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
    private readonly permissions: PermissionsService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListRolesQuery): Promise<Page<RoleDto>> {
    const { rows, total } = await fetchCataloguePage(this.roles.createQueryBuilder('r'), query);
    // The page is chosen without joins (so LIMIT counts roles), then its permissions are loaded.
    const withPerms = rows.length
      ? await this.roles.find({ where: { id: In(rows.map((r) => r.id)) }, relations: { permissions: true } })
      : [];
    const byId = new Map(withPerms.map((r) => [r.id, r]));
    return toPage(
      rows.map((r) => toRoleDto(byId.get(r.id) ?? r)),
      total,
      query,
    );
  }

  async get(id: number): Promise<RoleDto> {
    return toRoleDto(await this.findOrFail(this.dataSource.manager, id));
  }

  /** The roles with these ids, with their permissions (what assigning them grants); 400 naming `field` for an unknown id. */
  findByIdsOrFail(em: EntityManager, ids: number[], field = 'role_ids'): Promise<Role[]> {
    return findEntriesOrFail(em, Role, ids, field, { permissions: true });
  }

  /** The ids of the roles with these codes (system roles are always there). */
  async idsByCode(codes: string[], em?: EntityManager): Promise<number[]> {
    const roles = await (em?.getRepository(Role) ?? this.roles).find({ where: { code: In(codes) }, select: { id: true } });
    return roles.map((r) => r.id);
  }

  /**
   * The permission codes of these roles, sorted and de-duplicated: every code that exists
   * when one of them is SUPER_ADMIN (docs/api.md §2).
   */
  async permissionCodes(roles: Pick<Role, 'id' | 'code'>[]): Promise<{ isSuperAdmin: boolean; codes: string[] }> {
    const isSuperAdmin = roles.some((r) => r.code === SystemRole.SUPER_ADMIN);
    if (isSuperAdmin) return { isSuperAdmin, codes: [...new Set(await this.permissions.allCodes())].sort() };
    if (!roles.length) return { isSuperAdmin, codes: [] };
    const withPerms = await this.roles.find({ where: { id: In(roles.map((r) => r.id)) }, relations: { permissions: true } });
    return { isSuperAdmin, codes: [...new Set(withPerms.flatMap((r) => r.permissions.map((p) => p.code)))].sort() };
  }

  /**
   * Takes a row lock on the SUPER_ADMIN role (MySQL; SQLite serialises transactions
   * already), so transactions that may remove the last SUPER_ADMIN run one at a time.
   */
  async lockSuperAdmin(em: EntityManager): Promise<number | undefined> {
    const qb = em.getRepository(Role).createQueryBuilder('r').select('r.id').where('r.code = :code', { code: SystemRole.SUPER_ADMIN });
    if (supportsRowLocks(em)) qb.setLock('pessimistic_write');
    return (await qb.getOne())?.id;
  }

  async create(me: Principal, dto: CreateRoleDto, ctx: RequestContext): Promise<RoleDto> {
    const created = await runTransaction(this.dataSource, async (em) => {
      const permissions = await this.permissions.findByIdsOrFail(em, dto.permission_ids ?? []);
      assertMayGrantPermissions(
        me.access,
        permissions.map((p) => p.code),
      );
      // A taken code fails on UQ_roles_code → 409 ROLE_CODE_TAKEN (global filter).
      const { identifiers } = await em
        .getRepository(Role)
        .insert({ code: dto.code, name: dto.name, description: dto.description ?? null, isSystem: false });
      const id = Number(identifiers[0].id);
      await replaceLinks(
        em,
        ROLE_PERMISSIONS,
        id,
        [],
        permissions.map((p) => p.id),
      );
      await this.audit.record(
        {
          action: 'role.create',
          actorId: me.actorId,
          targetType: 'role',
          targetId: id,
          detail: { code: dto.code, permission_ids: permissions.map((p) => p.id).sort((a, b) => a - b) },
        },
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
      const { changes, fields, recode } = entryChange(role, dto);
      if (!roleInReach(me.access, role)) throw new AppException(ErrorCode.FORBIDDEN);
      if (!fields.length) return { role, changed: false };
      await em.getRepository(Role).update({ id }, changes);
      await this.audit.record(
        {
          action: 'role.update',
          actorId: me.actorId,
          targetType: 'role',
          targetId: id,
          detail: { fields, ...(recode ? { from: role.code, to: dto.code } : {}) },
        },
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
      assertDeletable(role);
      if (!roleInReach(me.access, role)) throw new AppException(ErrorCode.FORBIDDEN);
      // user_roles and role_permissions rows go with it (ON DELETE CASCADE).
      await em.getRepository(Role).delete({ id });
      await this.audit.record(
        { action: 'role.delete', actorId: me.actorId, targetType: 'role', targetId: id, detail: { code: role.code } },
        ctx,
        em,
      );
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
      const next = await this.permissions.findByIdsOrFail(em, permissionIds);
      if (!roleInReach(me.access, role)) throw new AppException(ErrorCode.FORBIDDEN);
      const current = role.permissions;
      const changed = [
        ...next.filter((p) => !current.some((c) => c.id === p.id)),
        ...current.filter((c) => !next.some((p) => p.id === c.id)),
      ];
      assertMayGrantPermissions(
        me.access,
        changed.map((p) => p.code),
      );
      const { added, removed } = await replaceLinks(
        em,
        ROLE_PERMISSIONS,
        id,
        current.map((p) => p.id),
        next.map((p) => p.id),
      );
      await this.audit.record(
        {
          action: 'role.permissions.set',
          actorId: me.actorId,
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
    return findEntryOrFail(em, Role, id, { permissions: true });
  }
}
