import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { AuditService } from '../audit/audit.service.js';
import { runTransaction } from '../common/database/transaction.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { LoginAttemptsService } from '../credentials/login-attempts.service.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { PasswordPolicy } from '../credentials/password-policy.js';
import type { UserToken } from '../credentials/user-token.entity.js';
import { UserTokensService } from '../credentials/user-tokens.service.js';
import { MailService } from '../mail/mail.service.js';
import { SessionService } from '../sessions/session.service.js';
import { loginNamesOf } from '../users/phone.js';
import { UsersService } from '../users/users.service.js';

/** Forgot / verify / reset (docs/api.md §3), with the single-use tokens of UserTokensService. */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger(PasswordResetService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: UserTokensService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly attempts: LoginAttemptsService,
    private readonly policy: PasswordPolicy,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Answers at once, the same for every address: the lookup, the token and the mail
   * happen after the response, so neither the body nor the timing tells whether the
   * address has an account.
   */
  forgot(email: string, ctx: RequestContext): void {
    setImmediate(() => {
      this.issue(email, ctx).catch((err: unknown) =>
        this.logger.error(`password reset mail failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    });
  }

  private async issue(email: string, ctx: RequestContext): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.status !== 'active' || !user.email) return;
    // With EMAIL_VERIFICATION=require, reset links go only to verified addresses (docs/api.md §12).
    if (this.config.auth.emailVerification === 'require' && !user.emailVerified) return;
    const { token, expiresAt } = await runTransaction(this.dataSource, async (em) => {
      // A newer token supersedes every older one.
      const issued = await this.tokens.issue(em, user.id, 'password_reset', this.config.auth.resetTokenTtl);
      await this.audit.record({ action: 'auth.password.forgot', actorId: user.id, targetType: 'user', targetId: user.id }, ctx, em);
      return issued;
    });
    await this.mail.sendPasswordReset(user.email, token, expiresAt, ctx.locale);
  }

  private async findValid(token: string): Promise<UserToken> {
    const row = await this.tokens.findValid(token, 'password_reset');
    if (!row) throw new AppException(ErrorCode.INVALID_RESET_TOKEN);
    return row;
  }

  async verify(token: string): Promise<{ valid: true; expires_at: string }> {
    const row = await this.findValid(token);
    return { valid: true, expires_at: row.expiresAt.toISOString() };
  }

  async reset(token: string, newPassword: string, ctx: RequestContext): Promise<void> {
    const row = await this.findValid(token);
    const user = await this.users.findById(row.userId);
    if (!user) throw new AppException(ErrorCode.NOT_FOUND);
    this.policy.assertStrong(newPassword, user.username, 'new_password');
    const hash = await this.hasher.hash(newPassword);
    const revoked = await runTransaction(this.dataSource, async (em) => {
      // Single use, even when two resets race: only one spends it.
      if (!(await this.tokens.spend(em, row.id))) throw new AppException(ErrorCode.INVALID_RESET_TOKEN);
      await this.users.setPasswordHash(user.id, hash, em);
      const ids = await this.sessions.revokeAllForUser(user.id, 'password_reset', undefined, em);
      await this.audit.record(
        {
          action: 'auth.password.reset',
          actorId: user.id,
          targetType: 'user',
          targetId: user.id,
          detail: { sessions_revoked: ids.length },
        },
        ctx,
        em,
      );
      return ids;
    });
    await this.sessions.forget(revoked);
    await this.access.invalidate('user', user.id);
    await this.attempts.clear(this.attempts.keysOfAccount(user.id, loginNamesOf(user)));
  }
}
