import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { AuditService } from '../audit/audit.service.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { SessionService } from '../sessions/session.service.js';
import type { MeDto } from '../users/dto/user.dto.js';
import { UsersService } from '../users/users.service.js';
import type { ChangePasswordDto, SessionDto, UpdateMeDto } from './dto/me.dto.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { PasswordPolicy } from '../credentials/password-policy.js';
import type { UserPrincipal as Principal } from '../authz/principal.js';
import { UserAccess } from '../users/user-access.js';
import { SignInService } from './sign-in.service.js';
import { runTransaction } from '../common/database/transaction.js';

/** The signed-in user's own profile, password and sessions (docs/api.md §4). */
@Injectable()
export class MeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly userAccess: UserAccess,
    private readonly signIn: SignInService,
  ) {}

  /**
   * PATCH /users/me. Changing the email or phone needs `current_password` (a stolen access
   * token alone must not be able to move the account to an attacker's address); a wrong
   * one counts as a login failure. The old address hears of an email change.
   */
  async update(me: Principal, dto: UpdateMeDto, ctx: RequestContext): Promise<MeDto> {
    const { current_password: currentPassword, ...patch } = dto;
    const user = await this.users.findById(me.userId);
    if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
    const plan = this.users.planProfile(user, patch);
    if (plan.changesContact) await this.signIn.reauthenticate(me.userId, currentPassword, ctx, 'user.update');
    if (plan.fields.length) {
      await runTransaction(this.dataSource, async (em) => {
        await this.users.applyProfile(em, plan);
        await this.audit.record(
          { action: 'user.update', actorId: me.userId, targetType: 'user', targetId: me.userId, detail: { fields: plan.fields } },
          ctx,
          em,
        );
      });
      await this.access.invalidate('user', me.userId);
      await this.users.notifyEmailChange(plan, ctx.locale);
    }
    const profile = await this.userAccess.meOf(me.userId);
    if (!profile) throw new AppException(ErrorCode.TOKEN_REVOKED);
    return profile;
  }

  /**
   * PUT /users/me/password. A wrong `old_password` counts as a login failure of the
   * account (docs/api.md §4): the lock stops guessing with a stolen access token.
   */
  async changePassword(me: Principal, dto: ChangePasswordDto, ctx: RequestContext): Promise<void> {
    const user = await this.signIn.reauthenticate(me.userId, dto.old_password, ctx, 'user.password.change');
    this.policy.assertStrong(dto.new_password, user.username, 'new_password');
    const hash = await this.hasher.hash(dto.new_password);
    const revoked = await runTransaction(this.dataSource, async (em) => {
      await this.users.setPasswordHash(me.userId, hash, em);
      // Every other session ends; the one that changed the password stays signed in.
      const ids = await this.sessions.revokeAllForUser(me.userId, 'password_change', me.sessionId, em);
      await this.audit.record(
        {
          action: 'user.password.change',
          actorId: me.userId,
          targetType: 'user',
          targetId: me.userId,
          detail: { sessions_revoked: ids.length },
        },
        ctx,
        em,
      );
      return ids;
    });
    await this.sessions.forget(revoked);
  }

  async listSessions(me: Principal): Promise<SessionDto[]> {
    const sessions = await this.sessions.listLive(me.userId);
    return sessions.map((s) => ({
      id: s.id,
      ip: s.ip,
      user_agent: s.userAgent,
      created_at: s.createdAt.toISOString(),
      last_used_at: s.lastUsedAt.toISOString(),
      expires_at: s.expiresAt.toISOString(),
      current: s.id === me.sessionId,
    }));
  }

  async revokeSession(me: Principal, sessionId: string, ctx: RequestContext): Promise<void> {
    // Only the caller's own live sessions are found: anyone else's is a plain 404.
    const session = await this.sessions.findLive(me.userId, sessionId);
    if (!session) throw new AppException(ErrorCode.NOT_FOUND);
    await this.sessions.revoke(session.id, 'logout');
    await this.audit.record({ action: 'user.session.revoke', actorId: me.userId, targetType: 'session', targetId: session.id }, ctx);
  }
}
