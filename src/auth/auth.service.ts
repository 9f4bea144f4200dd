import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import type { UserPrincipal } from '../authz/principal.js';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { SessionService } from '../sessions/session.service.js';
import { toUserDto, type UserDto } from '../users/dto/user.dto.js';
import { UserAccess } from '../users/user-access.js';
import { UsersService } from '../users/users.service.js';
import { CaptchaService } from './captcha/captcha.service.js';
import type { LoginDto, LoginResultDto, RegisterDto } from './dto/auth.dto.js';
import { LoginAttemptsService } from '../credentials/login-attempts.service.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { PasswordPolicy } from '../credentials/password-policy.js';
import type { RefreshPrincipal } from './token.service.js';
import { TokenService, type TokenPair } from './token.service.js';
import { runTransaction } from '../common/database/transaction.js';

/** Register, login, refresh and logout (docs/api.md §3). */
@Injectable()
export class AuthService implements OnModuleInit {
  /** Verified for unknown users, so they cost the same time as a wrong password. */
  private dummyHash = '';

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    private readonly access: AccessService,
    private readonly attempts: LoginAttemptsService,
    private readonly captcha: CaptchaService,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly userAccess: UserAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(randomBytes(16).toString('hex'));
  }

  async register(dto: RegisterDto, ctx: RequestContext): Promise<UserDto> {
    if (!this.config.auth.registrationEnabled) throw new AppException(ErrorCode.REGISTRATION_DISABLED);
    this.policy.assertStrong(dto.password, dto.username);
    if (dto.phone) this.users.normalisePhone(dto.phone);
    const passwordHash = await this.hasher.hash(dto.password);
    const user = await runTransaction(this.dataSource, async (em) => {
      const created = await this.users.create(em, { ...dto, passwordHash });
      await this.audit.record({ action: 'auth.register', actorId: created.id, targetType: 'user', targetId: created.id }, ctx, em);
      return created;
    });
    return toUserDto(user);
  }

  async login(dto: LoginDto, ctx: RequestContext): Promise<LoginResultDto> {
    const status = await this.attempts.status(dto.username);
    if (status.locked) {
      const seconds = Math.max(1, Math.ceil((status.lockedUntil!.getTime() - Date.now()) / 1000));
      await this.audit.record(
        { action: 'auth.login.failure', targetType: 'login', targetId: dto.username, success: false, detail: { reason: 'locked' } },
        ctx,
      );
      throw new AppException(ErrorCode.ACCOUNT_LOCKED, { headers: { 'Retry-After': String(seconds) }, params: { seconds } });
    }
    const captchaAfter = this.config.auth.captchaAfterFailures;
    if (captchaAfter > 0 && status.failedAttempts >= captchaAfter) {
      if (!dto.captcha_id || !dto.captcha_code) throw new AppException(ErrorCode.CAPTCHA_REQUIRED);
      if (!(await this.captcha.verify(dto.captcha_id, dto.captcha_code))) throw new AppException(ErrorCode.CAPTCHA_INVALID);
    }

    const user = await this.users.findForLogin(dto.username);
    const valid = await this.hasher.verify(user?.passwordHash ?? this.dummyHash, dto.password);
    if (!user || !valid) {
      const after = await this.attempts.recordFailure(dto.username);
      await this.audit.record(
        {
          action: 'auth.login.failure',
          actorId: user?.id ?? null,
          targetType: 'login',
          targetId: dto.username,
          success: false,
          detail: { reason: 'invalid_credentials', failed_attempts: after.failedAttempts },
        },
        ctx,
      );
      if (after.lockedNow) {
        await this.audit.record(
          {
            action: 'auth.locked',
            actorId: user?.id ?? null,
            targetType: 'login',
            targetId: dto.username,
            success: false,
            detail: { locked_until: after.lockedUntil?.toISOString() },
          },
          ctx,
        );
      }
      throw new AppException(ErrorCode.INVALID_CREDENTIALS);
    }
    // Only a caller who knows the password learns that the account is disabled.
    if (user.status !== 'active') {
      await this.audit.record(
        {
          action: 'auth.login.failure',
          actorId: user.id,
          targetType: 'user',
          targetId: user.id,
          success: false,
          detail: { reason: 'disabled' },
        },
        ctx,
      );
      throw new AppException(ErrorCode.ACCOUNT_DISABLED);
    }

    // Legacy bcrypt (or outdated argon2) hashes are upgraded while we hold the password.
    const newHash = this.hasher.needsRehash(user.passwordHash) ? await this.hasher.hash(dto.password) : null;
    const loggedInAt = new Date();
    const session = await runTransaction(this.dataSource, async (em) => {
      // Only if the password and status are still the ones checked above: a reset, change or
      // disable that committed meanwhile revoked every session, and this one must not outlive it.
      if (!(await this.users.stampLogin(em, user.id, user.passwordHash, loggedInAt, newHash)))
        throw new AppException(ErrorCode.INVALID_CREDENTIALS);
      const created = await this.sessions.create(user.id, ctx, em);
      await this.audit.record(
        {
          action: 'auth.login.success',
          actorId: user.id,
          targetType: 'user',
          targetId: user.id,
          detail: { session_id: created.id, ...(newHash ? { rehashed: true } : {}) },
        },
        ctx,
        em,
      );
      return created;
    });
    if (status.failedAttempts > 0) await this.attempts.clear([dto.username]);
    // last_login_at changed: the cached profile is derived again (and dropped on other instances).
    await this.access.refresh('user', user.id);
    const me = await this.userAccess.meOf(user.id);
    if (!me) throw new AppException(ErrorCode.INVALID_CREDENTIALS);
    return { ...this.tokens.issuePair(user.id, session.id, session.refreshJti, session.expiresAt), user: me };
  }

  async refresh(principal: RefreshPrincipal, ctx: RequestContext): Promise<TokenPair> {
    const outcome = await this.sessions.rotate(principal.sessionId, principal.jti);
    switch (outcome.kind) {
      case 'revoked':
        throw new AppException(ErrorCode.TOKEN_REVOKED);
      case 'expired':
        throw new AppException(ErrorCode.TOKEN_EXPIRED);
      case 'reused':
        // A spent refresh token came back: someone holds a copy. End the whole session.
        await this.sessions.revoke(outcome.session.id, 'reuse');
        await this.audit.record(
          {
            action: 'auth.refresh.reuse_detected',
            actorId: principal.userId,
            targetType: 'session',
            targetId: outcome.session.id,
            success: false,
          },
          ctx,
        );
        throw new AppException(ErrorCode.REFRESH_TOKEN_REUSED);
      default: {
        const access = await this.access.get('user', principal.userId);
        if (!access || !access.active) throw new AppException(ErrorCode.TOKEN_REVOKED);
        return this.tokens.issuePair(principal.userId, outcome.session.id, outcome.jti, outcome.session.expiresAt);
      }
    }
  }

  async logout(principal: UserPrincipal, allSessions: boolean, ctx: RequestContext): Promise<void> {
    let revoked = 1;
    if (allSessions) revoked = (await this.sessions.revokeAllForUser(principal.userId, 'logout_all')).length;
    else await this.sessions.revoke(principal.sessionId, 'logout');
    await this.audit.record(
      {
        action: 'auth.logout',
        actorId: principal.userId,
        targetType: 'session',
        targetId: principal.sessionId,
        detail: { all_sessions: allSessions, revoked },
      },
      ctx,
    );
  }
}
