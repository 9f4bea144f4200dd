import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { permissionInReach } from '../authz/privilege.js';
import type { Principal } from '../authz/principal.js';
import { AuditService } from '../audit/audit.service.js';
import {
  assertDeletable,
  entryChange,
  fetchCataloguePage,
  findEntriesOrFail,
  findEntryOrFail,
} from '../common/catalogue/catalogue-admin.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { toPage, type Page } from '../common/pagination/page.js';
import { runTransaction } from '../common/database/transaction.js';
import {
  toPermissionDto,
  type CreatePermissionDto,
  type ListPermissionsQuery,
  type PermissionDto,
  type UpdatePermissionDto,
} from './dto/permission.dto.js';
import { Permission } from './permission.entity.js';

/**
 * Permission administration (docs/api.md §5), and the permission lookups other features use.
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
    const { rows, total } = await fetchCataloguePage(this.permissions.createQueryBuilder('p'), query);
    return toPage(rows.map(toPermissionDto), total, query);
  }

  async get(id: number): Promise<PermissionDto> {
    return toPermissionDto(await findEntryOrFail(this.dataSource.manager, Permission, id));
  }

  /** Every permission code that exists (what SUPER_ADMIN holds). */
  async allCodes(): Promise<string[]> {
    return (await this.permissions.find({ select: { code: true } })).map((p) => p.code);
  }

  /** The permissions with these ids, or 400 VALIDATION_FAILED naming `field`. */
  findByIdsOrFail(em: EntityManager, ids: number[], field = 'permission_ids'): Promise<Permission[]> {
    return findEntriesOrFail(em, Permission, ids, field);
  }

  async create(me: Principal, dto: CreatePermissionDto, ctx: RequestContext): Promise<PermissionDto> {
    const created = await runTransaction(this.dataSource, async (em) => {
      const repo = em.getRepository(Permission);
      // A taken code fails on UQ_permissions_code → 409 PERMISSION_CODE_TAKEN (global filter).
      const { identifiers } = await repo.insert({ code: dto.code, name: dto.name, description: dto.description ?? null, isSystem: false });
      const permission = await repo.findOneByOrFail({ id: Number(identifiers[0].id) });
      await this.audit.record(
        {
          action: 'permission.create',
          actorId: me.actorId,
          targetType: 'permission',
          targetId: permission.id,
          detail: { code: permission.code },
        },
        ctx,
        em,
      );
      return permission;
    });
    await this.access.invalidateAll();
    return toPermissionDto(created);
  }

  async update(me: Principal, id: number, dto: UpdatePermissionDto, ctx: RequestContext): Promise<PermissionDto> {
    const { permission: saved, changed } = await runTransaction(this.dataSource, async (em) => {
      const permission = await findEntryOrFail(em, Permission, id);
      const { changes, fields, recode } = entryChange(permission, dto);
      // A permission that roles carry: only SUPER_ADMIN re-codes it, and others only touch it within their reach.
      if (!me.access.isSuperAdmin && (recode || !permissionInReach(me.access, permission.code)) && (await this.isAssigned(em, id))) {
        throw new AppException(ErrorCode.FORBIDDEN);
      }
      if (!fields.length) return { permission, changed: false };
      await em.getRepository(Permission).update({ id }, changes);
      await this.audit.record(
        {
          action: 'permission.update',
          actorId: me.actorId,
          targetType: 'permission',
          targetId: id,
          detail: { fields, ...(recode ? { from: permission.code, to: dto.code } : {}) },
        },
        ctx,
        em,
      );
      return { permission: await findEntryOrFail(em, Permission, id), changed: true };
    });
    if (changed) await this.access.invalidateAll();
    return toPermissionDto(saved);
  }

  async remove(me: Principal, id: number, ctx: RequestContext): Promise<void> {
    await runTransaction(this.dataSource, async (em) => {
      const permission = await findEntryOrFail(em, Permission, id);
      assertDeletable(permission);
      if (!me.access.isSuperAdmin && !permissionInReach(me.access, permission.code) && (await this.isAssigned(em, id))) {
        throw new AppException(ErrorCode.FORBIDDEN);
      }
      // role_permissions rows go with it (ON DELETE CASCADE).
      await em.getRepository(Permission).delete({ id });
      await this.audit.record(
        { action: 'permission.delete', actorId: me.actorId, targetType: 'permission', targetId: id, detail: { code: permission.code } },
        ctx,
        em,
      );
    });
    await this.access.invalidateAll();
  }

  /** Whether any role carries the permission. */
  private isAssigned(em: EntityManager, id: number): Promise<boolean> {
    return em.getRepository(Permission).createQueryBuilder('p').innerJoin('p.roles', 'r').where('p.id = :id', { id }).getExists();
  }
}
