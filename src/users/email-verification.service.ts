import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { AuditService } from '../audit/audit.service.js';
import { runTransaction } from '../common/database/transaction.js';
import { AppException, detail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import type { Locale } from '../common/i18n/messages.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { UserTokensService } from '../credentials/user-tokens.service.js';
import { MailService } from '../mail/mail.service.js';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { User } from './user.entity.js';

/** A verification link made inside a transaction, mailed after its commit. */
export interface PendingVerification {
  to: string;
  token: string;
  expiresAt: Date;
}

/** Verification mails a user may cause (asking again, or signing in unverified under `require`): this many an hour. */
export const VERIFY_MAILS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Email verification (docs/api.md §12). Registration, an administrator creating a user and
 * an email change make a link inside their transaction (`issue`) and mail it after the
 * commit (`deliver`). Tokens are single-use, 32 random bytes, stored as SHA-256
 * (UserTokensService, purpose `verify_email`), valid EMAIL_VERIFY_TTL. A new one does not
 * cancel the older ones, which all point to the same address: an email change cancels them
 * (UsersService.applyProfile), and a verification spends them all.
 *
 * What a user can cause (`resend`, and the reminder at a sign-in refused under `require`) is
 * limited per user in the shared rate-limit storage: in Redis with REDIS_URL, so the limit
 * holds across instances.
 */
@Injectable()
export class EmailVerificationService {
  private readonly logger = new Logger(EmailVerificationService.name);
  private readonly limits: ThrottlerStorage;

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly tokens: UserTokensService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    @Inject(SHARED_STATE) state: SharedState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.limits = state.throttlerStorage();
  }

  /** EMAIL_VERIFICATION=require: no sign-in with an unverified email. */
  get required(): boolean {
    return this.config.auth.emailVerification === 'require';
  }

  /**
   * In the caller's transaction: a link for the user's (new, unverified) email. Null when
   * verification is off or there is no email.
   */
  async issue(em: EntityManager, user: Pick<User, 'id' | 'email'>): Promise<PendingVerification | null> {
    if (this.config.auth.emailVerification === 'off' || !user.email) return null;
    const { token, expiresAt } = await this.tokens.issue(em, user.id, 'verify_email', this.config.auth.emailVerifyTtl, {
      supersede: false,
    });
    return { to: user.email, token, expiresAt };
  }

  /**
   * After the commit: mails the link in the locale of the request. A failure is logged (never
   * the token) and not thrown: the change it follows stands, and the user can ask again.
   */
  async deliver(pending: PendingVerification | null, locale: Locale): Promise<void> {
    if (!pending) return;
    await this.mail.sendEmailVerification(pending.to, pending.token, pending.expiresAt, locale).catch((err: unknown) => {
      this.logger.error(`verification mail failed: ${describe(err)}`);
    });
  }

  /**
   * POST /users/me/email/verification: a new link to the signed-in user's email. 404 when
   * verification is off; 400 without an email; nothing to do once verified; 429 beyond
   * VERIFY_MAILS_PER_HOUR. A mail that cannot be sent is an error here: the user asked for it.
   */
  async resend(userId: string, ctx: RequestContext): Promise<void> {
    if (this.config.auth.emailVerification === 'off') throw new AppException(ErrorCode.NOT_FOUND);
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
    if (!user.email) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, {
        details: [detail('email', 'required', undefined, 'the account has no email address')],
      });
    }
    if (user.emailVerified) return;
    const limit = await this.count(user.id);
    if (limit.blocked) {
      throw new AppException(ErrorCode.RATE_LIMITED, {
        headers: { 'Retry-After': String(limit.retryAfter) },
        params: { seconds: limit.retryAfter },
      });
    }
    const pending = await runTransaction(this.dataSource, (em) => this.issue(em, user));
    if (pending) await this.mail.sendEmailVerification(pending.to, pending.token, pending.expiresAt, ctx.locale);
  }

  /**
   * A sign-in refused for an unverified email (EMAIL_VERIFICATION=require): a new link, so a
   * user whose mail was lost or expired is not stuck, within the same hourly limit (beyond
   * it, none). Never throws.
   */
  async remind(user: Pick<User, 'id' | 'email'>, ctx: RequestContext): Promise<void> {
    try {
      if (!user.email || (await this.count(user.id)).blocked) return;
      const pending = await runTransaction(this.dataSource, (em) => this.issue(em, user));
      await this.deliver(pending, ctx.locale);
    } catch (err) {
      this.logger.error(`verification reminder failed: ${describe(err)}`);
    }
  }

  /**
   * POST /auth/email/verify: spends the token and marks the email verified, in one
   * transaction with the audit entry; every other pending link of the user stops working.
   * 400 INVALID_VERIFY_TOKEN for an unknown, expired, used or cancelled token.
   */
  async verify(token: string, ctx: RequestContext): Promise<void> {
    const row = await this.tokens.findValid(token, 'verify_email');
    if (!row) throw new AppException(ErrorCode.INVALID_VERIFY_TOKEN);
    await runTransaction(this.dataSource, async (em) => {
      // Single use, even when two requests race: only one spends it. An email change since
      // cancelled it (applyProfile), so a token only ever verifies the address it was sent to.
      if (!(await this.tokens.spend(em, row.id))) throw new AppException(ErrorCode.INVALID_VERIFY_TOKEN);
      const user = await em.getRepository(User).findOneBy({ id: row.userId });
      if (!user?.email) throw new AppException(ErrorCode.INVALID_VERIFY_TOKEN);
      await em.getRepository(User).update({ id: user.id }, { emailVerified: true });
      await this.tokens.cancel(user.id, 'verify_email', em);
      await this.audit.record(
        { action: 'user.email.verify', actorId: user.id, targetType: 'user', targetId: user.id, detail: { email: user.email } },
        ctx,
        em,
      );
    });
    // The profile (Me) is cached with the user's access: read it again.
    await this.access.invalidate('user', row.userId);
  }

  /** Counts one mail of the user's; `blocked` beyond VERIFY_MAILS_PER_HOUR, with the seconds until the next one. */
  private async count(userId: string): Promise<{ blocked: boolean; retryAfter: number }> {
    const record = await this.limits.increment(`verify-email:${userId}`, HOUR_MS, VERIFY_MAILS_PER_HOUR, 0, 'verify-email');
    return { blocked: record.isBlocked, retryAfter: Math.max(1, record.timeToBlockExpire || record.timeToExpire) };
  }
}
