import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service.js';
import { permissionInReach } from '../access/privilege.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { fetchPage, orderBy, toPage, whereKeyword, type Page, type SortSpec } from '../common/pagination/page.js';
import { runTransaction } from '../database/transaction.js';
import {
  toPermissionDto,
  type CreatePermissionDto,
  type ListPermissionsQuery,
  type PermissionDto,
  type UpdatePermissionDto,
} from './dto/permission.dto.js';
import { Permission } from './permission.entity.js';

const SORT: SortSpec<NonNullable<ListPermissionsQuery['sort']>> = {
  columns: { id: 'p.id', code: 'p.code', name: 'p.name', created_at: 'p.createdAt', updated_at: 'p.updatedAt' },
  default: { field: 'id', order: 'asc' },
  tiebreak: 'p.id',
};

/**
 * Permission administration (API.md §5).
 *
 * Rules, checked in this order:
 * - 404 NOT_FOUND: no such permission.
 * - 409 PROTECTED_RESOURCE: a system permission cannot be deleted or re-coded.
 * - 403 FORBIDDEN (callers who are not SUPER_ADMIN): a permission they neither hold nor
 *   see unassigned cannot be changed or deleted (that would take it from roles they
 *   cannot manage); and an assigned permission cannot be re-coded at all, since a new
 *   code on a carried permission grants that code to every holder, the caller included.
 * Creating a permission grants nothing (no role carries it yet), so it is open to
 * whoever has `permission:create`.
 * Every change invalidates all cached access: SUPER_ADMIN's permission list is every
 * code that exists, and any role may carry the permission.
 */
@Injectable()
export class PermissionsService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Permission) private readonly permissions: Repository<Permission>,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListPermissionsQuery): Promise<Page<PermissionDto>> {
    const qb = this.permissions.createQueryBuilder('p');
    whereKeyword(qb, ['p.code', 'p.name', 'p.description'], query.keyword);
    orderBy(qb, SORT, query.sort, query.order);
    const { rows, total } = await fetchPage(qb, query);
    return toPage(rows.map(toPermissionDto), total, query);
  }

  async get(id: number): Promise<PermissionDto> {
    const permission = await this.permissions.findOneBy({ id });
    if (!permission) throw new AppException(ErrorCode.NOT_FOUND);
    return toPermissionDto(permission);
  }

  async create(me: Principal, dto: CreatePermissionDto, ctx: RequestContext): Promise<PermissionDto> {
    const created = await runTransaction(this.dataSource, async (em) => {
      const repo = em.getRepository(Permission);
      // A taken code fails on UQ_permissions_code → 409 PERMISSION_CODE_TAKEN (global filter).
      const { identifiers } = await repo.insert({ code: dto.code, name: dto.name, description: dto.description ?? null, isSystem: false });
      const permission = await repo.findOneByOrFail({ id: Number(identifiers[0].id) });
      await this.audit.record({ action: 'permission.create', actorId: me.userId, targetType: 'permission', targetId: permission.id, detail: { code: permission.code } }, ctx, em);
      return permission;
    });
    await this.access.invalidateAll();
    return toPermissionDto(created);
  }

  async update(me: Principal, id: number, dto: UpdatePermissionDto, ctx: RequestContext): Promise<PermissionDto> {
    const { permission: saved, changed } = await runTransaction(this.dataSource, async (em) => {
      const permission = await this.findOrFail(em, id);
      const recode = dto.code !== undefined && dto.code !== permission.code;
      if (recode && permission.isSystem) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      // A permission that roles carry: only SUPER_ADMIN re-codes it, and others only touch it within their reach.
      if (!me.access.isSuperAdmin && (recode || !permissionInReach(me.access, permission.code)) && (await this.isAssigned(em, id))) {
        throw new AppException(ErrorCode.FORBIDDEN);
      }
      const changes: Partial<Permission> = {};
      if (recode) changes.code = dto.code;
      if (dto.name !== undefined && dto.name !== permission.name) changes.name = dto.name;
      if (dto.description !== undefined && dto.description !== permission.description) changes.description = dto.description;
      const fields = Object.keys(changes);
      if (!fields.length) return { permission, changed: false };
      await em.getRepository(Permission).update({ id }, changes);
      await this.audit.record(
        { action: 'permission.update', actorId: me.userId, targetType: 'permission', targetId: id, detail: { fields, ...(recode ? { from: permission.code, to: dto.code } : {}) } },
        ctx,
        em,
      );
      return { permission: await this.findOrFail(em, id), changed: true };
    });
    if (changed) await this.access.invalidateAll();
    return toPermissionDto(saved);
  }

  async remove(me: Principal, id: number, ctx: RequestContext): Promise<void> {
    await runTransaction(this.dataSource, async (em) => {
      const permission = await this.findOrFail(em, id);
      if (permission.isSystem) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      if (!me.access.isSuperAdmin && !permissionInReach(me.access, permission.code) && (await this.isAssigned(em, id))) {
        throw new AppException(ErrorCode.FORBIDDEN);
      }
      // role_permissions rows go with it (ON DELETE CASCADE).
      await em.getRepository(Permission).delete({ id });
      await this.audit.record({ action: 'permission.delete', actorId: me.userId, targetType: 'permission', targetId: id, detail: { code: permission.code } }, ctx, em);
    });
    await this.access.invalidateAll();
  }

  private async findOrFail(em: EntityManager, id: number): Promise<Permission> {
    const permission = await em.getRepository(Permission).findOneBy({ id });
    if (!permission) throw new AppException(ErrorCode.NOT_FOUND);
    return permission;
  }

  /** Whether any role carries the permission. */
  private async isAssigned(em: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 FROM role_permissions WHERE permission_id = ? LIMIT 1', [id]);
    return rows.length > 0;
  }
}
