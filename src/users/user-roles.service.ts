import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { assertMayActOnUser, assertRolesInReach, hasSuperAdminRole } from '../authz/privilege.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../authz/principal.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { replaceLinks } from '../common/database/link-set.js';
import { runTransaction } from '../common/database/transaction.js';
import { RolesService } from '../roles/roles.service.js';
import { USER_ROLES } from './users.service.js';
import { toUserDto, type UserDto } from './dto/user.dto.js';
import { SuperAdmins } from './super-admins.js';
import { User } from './user.entity.js';

/**
 * PUT /users/:id/roles: `role_ids` replaces the user's set, in one transaction.
 * The rules are those of UsersAdminService: 404 → 400 (unknown role id) → 403 (the
 * caller is not SUPER_ADMIN and the target holds a role out of their reach, or a role
 * added is out of their reach) → 409 (it would take SUPER_ADMIN from the last active one).
 */
@Injectable()
export class UserRolesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly superAdmins: SuperAdmins,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly roles: RolesService,
  ) {}

  async set(me: Principal, id: string, roleIds: number[], ctx: RequestContext): Promise<UserDto> {
    const user = await runTransaction(this.dataSource, async (em) => {
      // The lock also serialises concurrent sets on MySQL, so each reads the set the
      // previous one left; the insert of only-missing rows is idempotent besides.
      await this.superAdmins.lock(em);
      const target = await em.getRepository(User).findOne({ where: { id }, relations: { roles: true } });
      if (!target) throw new AppException(ErrorCode.NOT_FOUND);
      target.roles = await this.roles.findByIdsOrFail(
        em,
        target.roles.map((r) => r.id),
      );
      const next = await this.roles.findByIdsOrFail(em, roleIds);
      assertMayActOnUser(me.access, target);
      const current = target.roles;
      const added = next.filter((r) => !current.some((c) => c.id === r.id));
      const removed = current.filter((c) => !next.some((r) => r.id === c.id));
      // Withdrawing is guarded like granting (assertMayActOnUser already covers the
      // current roles; kept explicit so the rule does not hang on that one).
      assertRolesInReach(me.access, [...added, ...removed]);
      if (hasSuperAdminRole(target) && !hasSuperAdminRole({ roles: next })) await this.superAdmins.assertNotLast(em, target);
      const change = await replaceLinks(
        em,
        USER_ROLES,
        id,
        current.map((r) => r.id),
        next.map((r) => r.id),
      );
      await this.audit.record(
        {
          action: 'user.roles.set',
          actorId: me.actorId,
          targetType: 'user',
          targetId: id,
          detail: { role_ids: next.map((r) => r.id).sort((a, b) => a - b), ...change },
        },
        ctx,
        em,
      );
      return em.getRepository(User).findOneOrFail({ where: { id }, relations: { roles: true } });
    });
    await this.access.invalidate('user', id);
    return toUserDto(user);
  }
}
