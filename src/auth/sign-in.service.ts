import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import { AuditService, type AuditAction } from '../audit/audit.service.js';
import { runTransaction } from '../common/database/transaction.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { LoginAttemptsService } from '../credentials/login-attempts.service.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionService } from '../sessions/session.service.js';
import { EmailVerificationService } from '../users/email-verification.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { CaptchaService } from './captcha/captcha.service.js';

/** What every door into sign-in hands over. */
export interface Credentials {
  /** Username, email or phone, as typed. */
  login: string;
  password: string;
  captchaId?: string;
  captchaCode?: string;
}

/** A user whose password was just proved, not yet signed in. */
export interface ProvedUser {
  user: User;
  /** The hash the password was checked against: the sign-in holds only if it is still the stored one. */
  checkedHash: string;
  password: string;
}

/** 403 ACCOUNT_LOCKED with Retry-After, in seconds until `until`. */
export function lockedError(until: Date): AppException {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppException(ErrorCode.ACCOUNT_LOCKED, { headers: { 'Retry-After': String(seconds) }, params: { seconds } });
}

/**
 * The one sign-in every door goes through (POST /auth/login, the hosted sign-in page, the
 * OAuth password grant): find the account → lockout and captcha → password → account
 * status → finish (a session, its audit entry, the caches). The doors only translate
 * their request and their answer, so the rules of docs/api.md §3 hold at every door.
 */
@Injectable()
export class SignInService implements OnModuleInit {
  /** Verified for unknown users, so they cost the same time as a wrong password. */
  private dummyHash = '';

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly attempts: LoginAttemptsService,
    private readonly hasher: PasswordHasher,
    private readonly captcha: CaptchaService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verification: EmailVerificationService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(randomBytes(16).toString('hex'));
  }

  /**
   * Proves the password of the account a login name denotes, under the lockout and captcha
   * rules. Throws ACCOUNT_LOCKED, CAPTCHA_REQUIRED, CAPTCHA_INVALID, INVALID_CREDENTIALS or
   * (only once the password is right) ACCOUNT_DISABLED or EMAIL_NOT_VERIFIED. `clientId` names
   * the OAuth client asking, for the audit log.
   */
  async prove(input: Credentials, ctx: RequestContext, clientId?: string): Promise<ProvedUser> {
    const user = await this.users.findForLogin(input.login);
    const key = this.attempts.keyOf(user ? { userId: user.id } : { name: input.login });
    const client = clientId ? { client_id: clientId } : {};
    const failure = (reason: string, detail: Record<string, unknown> = {}) =>
      this.audit.record(
        {
          action: 'auth.login.failure',
          actorId: user?.id ?? null,
          targetType: 'login',
          targetId: input.login,
          success: false,
          detail: { reason, ...detail, ...client },
        },
        ctx,
      );

    const status = await this.attempts.status(key);
    if (status.locked) {
      await failure('locked');
      throw lockedError(status.lockedUntil!);
    }
    const captchaAfter = this.config.auth.captchaAfterFailures;
    if (captchaAfter > 0 && status.failedAttempts >= captchaAfter) {
      if (!input.captchaId || !input.captchaCode) throw new AppException(ErrorCode.CAPTCHA_REQUIRED);
      if (!(await this.captcha.verify(input.captchaId, input.captchaCode))) throw new AppException(ErrorCode.CAPTCHA_INVALID);
    }

    // Counted before the password is looked at: concurrent guesses cannot outrun the lock.
    const attempt = await this.attempts.take(key);
    if (!attempt.taken) {
      await failure('locked');
      throw lockedError(attempt.lockedUntil);
    }
    const valid = await this.hasher.verify(user?.passwordHash ?? this.dummyHash, input.password);
    if (!user || !valid) {
      await failure('invalid_credentials', { failed_attempts: attempt.failedAttempts });
      if (attempt.locksIfFailed) {
        await this.audit.record(
          {
            action: 'auth.locked',
            actorId: user?.id ?? null,
            targetType: 'login',
            targetId: input.login,
            success: false,
            detail: { ...client },
          },
          ctx,
        );
      }
      throw new AppException(ErrorCode.INVALID_CREDENTIALS);
    }
    await this.attempts.succeeded(key);
    // Only a caller who knows the password learns that the account is disabled.
    if (user.status !== 'active') {
      await this.audit.record(
        {
          action: 'auth.login.failure',
          actorId: user.id,
          targetType: 'user',
          targetId: user.id,
          success: false,
          detail: { reason: 'disabled', ...client },
        },
        ctx,
      );
      throw new AppException(ErrorCode.ACCOUNT_DISABLED);
    }
    // EMAIL_VERIFICATION=require (docs/api.md §12): revealed, like the above, only after the right password; a new link goes out.
    if (this.verification.required && user.email && !user.emailVerified) {
      await failure('email_not_verified');
      await this.verification.remind(user, ctx);
      throw new AppException(ErrorCode.EMAIL_NOT_VERIFIED);
    }
    return { user, checkedHash: user.passwordHash, password: input.password };
  }

  /**
   * Signs a proved user in: one transaction stamps `last_login_at` (only if the password
   * and status are still the ones checked: a reset, change or disable that committed
   * meanwhile revoked every session, and this one must not outlive it), creates the
   * session and writes `auth.login.success`. A legacy hash is upgraded on the way.
   */
  async finish(proved: ProvedUser, ctx: RequestContext, clientId?: string): Promise<Session> {
    const { user } = proved;
    const newHash = this.hasher.needsRehash(proved.checkedHash) ? await this.hasher.hash(proved.password) : null;
    const loggedInAt = new Date();
    const session = await runTransaction(this.dataSource, async (em) => {
      if (!(await this.users.stampLogin(em, user.id, proved.checkedHash, loggedInAt, newHash))) {
        throw new AppException(ErrorCode.INVALID_CREDENTIALS);
      }
      const created = await this.sessions.create(user.id, ctx, em);
      await this.audit.record(
        {
          action: 'auth.login.success',
          actorId: user.id,
          targetType: 'user',
          targetId: user.id,
          detail: { session_id: created.id, ...(clientId ? { client_id: clientId } : {}), ...(newHash ? { rehashed: true } : {}) },
        },
        ctx,
        em,
      );
      return created;
    });
    // last_login_at changed: the cached profile is derived again (and dropped on other instances).
    await this.access.refresh('user', user.id);
    return session;
  }

  /**
   * A signed-in user proves their password again (changing it, their email or phone, their
   * second factor); `action` names the change in the audit log. A wrong one counts as a login failure of the account (docs/api.md §4),
   * so a stolen access token cannot be used to guess it: 400 WRONG_PASSWORD, and
   * 403 ACCOUNT_LOCKED once the account is locked.
   */
  async reauthenticate(userId: string, password: string | undefined, ctx: RequestContext, action: AuditAction): Promise<User> {
    const key = this.attempts.keyOf({ userId });
    const status = await this.attempts.status(key);
    if (status.locked) throw lockedError(status.lockedUntil!);
    const user = await this.users.findWithHash(userId);
    if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
    if (!password) throw new AppException(ErrorCode.WRONG_PASSWORD);
    const attempt = await this.attempts.take(key);
    if (!attempt.taken) throw lockedError(attempt.lockedUntil);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      await this.audit.record(
        {
          action,
          actorId: userId,
          targetType: 'user',
          targetId: userId,
          success: false,
          detail: { reason: 'wrong_password', failed_attempts: attempt.failedAttempts },
        },
        ctx,
      );
      if (attempt.locksIfFailed) {
        await this.audit.record({ action: 'auth.locked', actorId: userId, targetType: 'user', targetId: userId, success: false }, ctx);
      }
      throw new AppException(ErrorCode.WRONG_PASSWORD);
    }
    await this.attempts.succeeded(key);
    return user;
  }
}
