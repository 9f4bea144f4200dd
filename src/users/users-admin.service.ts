import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { assertMayActOnUser, assertRolesInReach } from '../authz/privilege.js';
import { AuditService } from '../audit/audit.service.js';
import { LoginAttemptsService } from '../credentials/login-attempts.service.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { PasswordPolicy } from '../credentials/password-policy.js';
import type { Principal } from '../authz/principal.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { runTransaction } from '../common/database/transaction.js';
import { SystemRole } from '../authz/permission-catalogue.js';
import { RolesService } from '../roles/roles.service.js';
import { SessionService } from '../sessions/session.service.js';
import { EmailVerificationService } from './email-verification.service.js';
import type { CreateUserDto, UpdateUserDto } from './dto/admin-user.dto.js';
import { toUserDto, type UserDto } from './dto/user.dto.js';
import { loginNamesOf } from './phone.js';
import { SuperAdmins } from './super-admins.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';

/**
 * User administration (docs/api.md §5): create, update, delete, set password, revoke
 * sessions, unlock. Role assignment is UserRolesService; reads are UserQueryService.
 *
 * No privilege escalation, enforced here and not only by the route permission.
 * Checks run in this order, so an answer never depends on state the caller may not see:
 *
 * | case                                                                      | answer                      |
 * |---------------------------------------------------------------------------|-----------------------------|
 * | target absent or soft-deleted; a `:id` that is not a UUID                 | 404 NOT_FOUND               |
 * | `role_ids` names a role that does not exist                               | 400 VALIDATION_FAILED       |
 * | caller not SUPER_ADMIN changes (update, delete, roles, password,          | 403 FORBIDDEN               |
 * |   sessions, unlock) a SUPER_ADMIN user, or a user holding any role out of |                             |
 * |   their reach (a password or email set is an account takeover)            |                             |
 * | caller not SUPER_ADMIN grants or withdraws a role out of their reach:     | 403 FORBIDDEN               |
 * |   SUPER_ADMIN itself, or a role carrying a permission they do not hold    |                             |
 * |   (on create and on PUT /users/:id/roles)                                 |                             |
 * | anyone deletes or disables themselves                                     | 409 PROTECTED_RESOURCE      |
 * | anyone deletes, disables, or takes SUPER_ADMIN away from the last active  | 409 PROTECTED_RESOURCE      |
 * |   SUPER_ADMIN                                                             |                             |
 *
 * 403 means "you may not do this" (it depends on who asks); 409 means "nobody may do
 * this to the resource in its present state" (it holds for SUPER_ADMIN too).
 * Every change and its audit entry commit together; caches are invalidated after the
 * commit, so the change holds at the affected user's next request.
 */
@Injectable()
export class UsersAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly superAdmins: SuperAdmins,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
    private readonly attempts: LoginAttemptsService,
    private readonly hasher: PasswordHasher,
    private readonly roles: RolesService,
    private readonly verification: EmailVerificationService,
  ) {}

  async create(me: Principal, dto: CreateUserDto, ctx: RequestContext): Promise<UserDto> {
    this.policy.assertStrong(dto.password, dto.username);
    if (dto.phone) this.users.normalisePhone(dto.phone);
    const passwordHash = await this.hasher.hash(dto.password);
    const { user, verification } = await runTransaction(this.dataSource, async (em) => {
      // Like registration, a new account gets the USER role unless told otherwise.
      const roleIds = dto.role_ids ?? (await this.roles.idsByCode([SystemRole.USER], em));
      assertRolesInReach(me.access, await this.roles.findByIdsOrFail(em, roleIds));
      const created = await this.users.create(em, { ...dto, passwordHash, roleIds });
      await this.audit.record(
        {
          action: 'user.create',
          actorId: me.actorId,
          targetType: 'user',
          targetId: created.id,
          detail: { username: created.username, role_ids: [...roleIds].sort((a, b) => a - b) },
        },
        ctx,
        em,
      );
      // Like registration, an email is verified by its owner (docs/api.md §12).
      return { user: created, verification: await this.verification.issue(em, created) };
    });
    await this.verification.deliver(verification, ctx.locale);
    return toUserDto(user);
  }

  async update(me: Principal, id: string, dto: UpdateUserDto, ctx: RequestContext): Promise<UserDto> {
    const disabling = dto.status === 'disabled';
    const { revoked, plan } = await runTransaction(this.dataSource, async (em) => {
      if (disabling) await this.superAdmins.lock(em);
      const user = await this.findOrFail(em, id);
      assertMayActOnUser(me.access, user);
      if (disabling && user.status === 'active') {
        if (user.id === me.actorId) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
        await this.superAdmins.assertNotLast(em, user);
      }
      const plan = this.users.planProfile(user, dto);
      await this.users.applyProfile(em, plan);
      const fields = plan.fields;
      // A disabled user's tokens stop at their next request (docs/api.md §3: TOKEN_REVOKED).
      const ids = disabling ? await this.sessions.revokeAllForUser(id, 'user_disabled', undefined, em) : [];
      if (fields.length) {
        await this.audit.record(
          {
            action: 'user.update',
            actorId: me.actorId,
            targetType: 'user',
            targetId: id,
            detail: { fields, ...(disabling ? { sessions_revoked: ids.length } : {}) },
          },
          ctx,
          em,
        );
      }
      return { revoked: ids, plan };
    });
    await this.afterCommit(id, revoked);
    await this.users.notifyEmailChange(plan, ctx.locale);
    return toUserDto((await this.users.findById(id)) ?? this.gone());
  }

  /** Soft delete: the row stays for the audit trail; its username, email and phone are freed. */
  async remove(me: Principal, id: string, ctx: RequestContext): Promise<void> {
    const revoked = await runTransaction(this.dataSource, async (em) => {
      await this.superAdmins.lock(em);
      const user = await this.findOrFail(em, id);
      assertMayActOnUser(me.access, user);
      if (user.id === me.actorId) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      await this.superAdmins.assertNotLast(em, user);
      // NULL keys leave the unique indexes, so the names can be registered again.
      await em.getRepository(User).update({ id }, { deletedAt: new Date(), usernameKey: null, emailKey: null, phoneKey: null });
      const ids = await this.sessions.revokeAllForUser(id, 'user_deleted', undefined, em);
      await this.audit.record(
        {
          action: 'user.delete',
          actorId: me.actorId,
          targetType: 'user',
          targetId: id,
          detail: { username: user.username, sessions_revoked: ids.length },
        },
        ctx,
        em,
      );
      return ids;
    });
    await this.afterCommit(id, revoked);
  }

  /** An administrator sets the password (no old password); every session of the user ends. */
  async setPassword(me: Principal, id: string, newPassword: string, ctx: RequestContext): Promise<void> {
    const target = await this.findOrFail(this.dataSource.manager, id);
    assertMayActOnUser(me.access, target);
    this.policy.assertStrong(newPassword, target.username, 'new_password');
    const hash = await this.hasher.hash(newPassword);
    const revoked = await runTransaction(this.dataSource, async (em) => {
      // Read again inside the transaction: the user may have been deleted while we hashed.
      const user = await this.findOrFail(em, id);
      assertMayActOnUser(me.access, user);
      await this.users.setPasswordHash(id, hash, em);
      const ids = await this.sessions.revokeAllForUser(id, 'admin', undefined, em);
      await this.audit.record(
        { action: 'user.password.set', actorId: me.actorId, targetType: 'user', targetId: id, detail: { sessions_revoked: ids.length } },
        ctx,
        em,
      );
      return ids;
    });
    await this.afterCommit(id, revoked);
  }

  async revokeSessions(me: Principal, id: string, ctx: RequestContext): Promise<void> {
    const revoked = await runTransaction(this.dataSource, async (em) => {
      const user = await this.findOrFail(em, id);
      assertMayActOnUser(me.access, user);
      const ids = await this.sessions.revokeAllForUser(id, 'user_revoked', undefined, em);
      await this.audit.record(
        { action: 'user.sessions.revoke', actorId: me.actorId, targetType: 'user', targetId: id, detail: { sessions_revoked: ids.length } },
        ctx,
        em,
      );
      return ids;
    });
    await this.sessions.forget(revoked);
  }

  /** Clears failures and the lock of every name the user signs in with, in one transaction with its audit entry. */
  async unlock(me: Principal, id: string, ctx: RequestContext): Promise<void> {
    await runTransaction(this.dataSource, async (em) => {
      const user = await this.findOrFail(em, id);
      assertMayActOnUser(me.access, user);
      const cleared = await this.attempts.clear(this.attempts.keysOfAccount(user.id, loginNamesOf(user)), em);
      await this.audit.record(
        { action: 'user.unlock', actorId: me.actorId, targetType: 'user', targetId: id, detail: { cleared } },
        ctx,
        em,
      );
    });
  }

  /** With the roles' permissions: what the caller must be able to grant to act on them. */
  private findOrFail(em: EntityManager, id: string): Promise<User> {
    return this.users.findForAdmin(em, id);
  }

  /** Deleted between the change and the re-read: answer as if it was never there. */
  private gone(): never {
    throw new AppException(ErrorCode.NOT_FOUND);
  }

  /** Only after the commit: a read in between could otherwise cache the old state again. */
  private async afterCommit(userId: string, revokedSessions: string[]): Promise<void> {
    await this.sessions.forget(revokedSessions);
    await this.access.invalidate('user', userId);
  }
}
