import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import type { UserPrincipal } from '../authz/principal.js';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Telemetry, type RefreshOutcome } from '../common/telemetry/telemetry.js';
import { SessionService } from '../sessions/session.service.js';
import { toUserDto, type UserDto } from '../users/dto/user.dto.js';
import { EmailVerificationService } from '../users/email-verification.service.js';
import { UserAccess } from '../users/user-access.js';
import { UsersService } from '../users/users.service.js';
import { runTransaction } from '../common/database/transaction.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { PasswordPolicy } from '../credentials/password-policy.js';
import type { LoginDto, LoginResultDto, RegisterDto } from './dto/auth.dto.js';
import type { LoginMfaDto, MfaChallengeDto, MfaLoginResultDto, TotpEnrolmentDto } from './dto/mfa.dto.js';
import { SignInService, type ProvedUser } from './sign-in.service.js';
import { TokenService, type RefreshPrincipal, type TokenPair } from './token.service.js';

/** What each outcome of a rotation counts as in the refresh metrics. */
const REFRESH_OUTCOME: Record<Awaited<ReturnType<SessionService['rotate']>>['kind'], RefreshOutcome> = {
  rotated: 'success',
  // The same token again within REFRESH_GRACE_SECONDS (a client's retry): answered, not theft.
  grace: 'success',
  reused: 'reused',
  revoked: 'revoked',
  expired: 'expired',
  foreign: 'invalid',
};

/** The API door (docs/api.md §3): register, login, refresh and logout. Sign-in itself is SignInService. */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    private readonly access: AccessService,
    private readonly signIn: SignInService,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly userAccess: UserAccess,
    private readonly verification: EmailVerificationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly telemetry: Telemetry,
  ) {}

  async register(dto: RegisterDto, ctx: RequestContext): Promise<UserDto> {
    if (!this.config.auth.registrationEnabled) throw new AppException(ErrorCode.REGISTRATION_DISABLED);
    this.policy.assertStrong(dto.password, dto.username);
    if (dto.phone) this.users.normalisePhone(dto.phone);
    const passwordHash = await this.hasher.hash(dto.password);
    const { user, verification } = await runTransaction(this.dataSource, async (em) => {
      const created = await this.users.create(em, { ...dto, passwordHash });
      await this.audit.record({ action: 'auth.register', actorId: created.id, targetType: 'user', targetId: created.id }, ctx, em);
      return { user: created, verification: await this.verification.issue(em, created) };
    });
    await this.verification.deliver(verification, ctx.locale);
    return toUserDto(user);
  }

  /** POST /auth/login: the token pair, or (API.md §11) a challenge for the second factor and no tokens. */
  async login(dto: LoginDto, ctx: RequestContext): Promise<LoginResultDto | MfaChallengeDto> {
    const proved = await this.signIn.prove(
      { login: dto.username, password: dto.password, captchaId: dto.captcha_id, captchaCode: dto.captcha_code },
      ctx,
    );
    const challenge = await this.signIn.challenge(proved, ctx);
    if (challenge) {
      return {
        mfa_required: true,
        mfa_enrolment_required: challenge.enrolment_required,
        mfa_token: challenge.mfa_token,
        mfa_methods: challenge.mfa_methods,
        expires_in: challenge.expires_in,
      };
    }
    return this.signedIn(proved, ctx);
  }

  /** POST /auth/login/mfa: the second step; the answer of a login, plus the recovery codes after a forced enrolment. */
  async loginMfa(dto: LoginMfaDto, ctx: RequestContext): Promise<MfaLoginResultDto> {
    const { proved, recoveryCodes } = await this.signIn.completeChallenge(
      { mfaToken: dto.mfa_token, code: dto.code, recoveryCode: dto.recovery_code },
      ctx,
    );
    const result = await this.signedIn(proved, ctx);
    return recoveryCodes ? { ...result, recovery_codes: recoveryCodes } : result;
  }

  /** POST /auth/login/mfa/enrol: the secret a user forced to enrol sets up their authenticator with. */
  enrolDuringLogin(mfaToken: string, ctx: RequestContext): Promise<TotpEnrolmentDto> {
    return this.signIn.enrolDuringLogin(mfaToken, ctx);
  }

  private async signedIn(proved: ProvedUser, ctx: RequestContext): Promise<LoginResultDto> {
    const session = await this.signIn.finish(proved, ctx);
    const me = await this.userAccess.meOf(proved.user.id);
    if (!me) throw new AppException(ErrorCode.INVALID_CREDENTIALS);
    return { mfa_required: false, ...this.tokens.issuePair(proved.user.id, session, session.refreshJti), user: me };
  }

  async refresh(principal: RefreshPrincipal, ctx: RequestContext): Promise<TokenPair> {
    const outcome = await this.sessions.rotate(principal);
    this.telemetry.refresh(REFRESH_OUTCOME[outcome.kind]);
    switch (outcome.kind) {
      case 'revoked':
        throw new AppException(ErrorCode.TOKEN_REVOKED);
      case 'foreign':
        throw new AppException(ErrorCode.INVALID_TOKEN);
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
        return this.tokens.issuePair(principal.userId, outcome.session, outcome.jti);
      }
    }
  }

  /**
   * Ends the caller's session (or all their sessions). `cookieSession`: in cookie mode, the
   * session of the browser's refresh cookie, which ends too when it is the same user's.
   */
  async logout(
    principal: UserPrincipal,
    allSessions: boolean,
    ctx: RequestContext,
    cookieSession?: { userId: string; sessionId: string } | null,
  ): Promise<void> {
    let revoked = 1;
    if (allSessions) revoked = (await this.sessions.revokeAllForUser(principal.userId, 'logout_all')).length;
    else await this.sessions.revoke(principal.sessionId, 'logout');
    if (!allSessions && cookieSession?.userId === principal.userId && cookieSession.sessionId !== principal.sessionId) {
      await this.sessions.revoke(cookieSession.sessionId, 'logout');
      revoked += 1;
    }
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
