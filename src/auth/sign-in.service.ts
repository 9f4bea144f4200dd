import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, type AuditAction } from '../audit/audit.service.js';
import { runTransaction } from '../common/database/transaction.js';
import { AppException, detail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Telemetry, type LoginOutcome } from '../common/telemetry/telemetry.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { LoginAttemptsService } from '../credentials/login-attempts.service.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { MfaService, type SecondFactorNeed, type TotpEnrolment } from '../mfa/mfa.service.js';
import type { Session, SessionKind } from '../sessions/session.entity.js';
import { SessionService } from '../sessions/session.service.js';
import { EmailVerificationService } from '../users/email-verification.service.js';
import { UserAccess } from '../users/user-access.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { CaptchaService } from './captcha/captcha.service.js';
import { digestOf, MFA_CHALLENGE_STORE, MFA_MAX_WRONG_CODES, MFA_TOKEN_TTL, MfaChallenges, type Challenge } from './mfa-challenges.js';

/** What every door into sign-in hands over. */
export interface Credentials {
  /** Username, email or phone, as typed. */
  login: string;
  password: string;
  captchaId?: string;
  captchaCode?: string;
}

/** A user whose password (and, after `completeChallenge`, second factor) was just proved, not yet signed in. */
export interface ProvedUser {
  user: User;
  /** The hash the password was checked against: the sign-in holds only if it is still the stored one. */
  checkedHash: string;
  /** The password as typed, when this step checked it; absent after `completeChallenge` (then `finish` upgrades no legacy hash). */
  password?: string;
  /**
   * The second factor still owed (API.md §11): `totp` or `enrol` after `prove` for such a
   * user, `none` otherwise and after `completeChallenge`. `finish` refuses to sign in while
   * one is owed, so a door that forgets `challenge` fails loudly instead of skipping it.
   */
  secondFactor: SecondFactorNeed;
}

export type MfaMethod = 'totp' | 'recovery_code';

/** What a door answers instead of tokens while a second factor is owed (API.md §11). */
export interface MfaChallenge {
  /** Single use, bound to the user and the client, 300 s, burnt after 5 wrong codes. */
  mfa_token: string;
  /** `totp` and `recovery_code`; only `totp` when the user must enrol first (no recovery codes exist yet). */
  mfa_methods: MfaMethod[];
  /** Seconds. */
  expires_in: number;
  /** A holder of a role of MFA_REQUIRED_ROLES without a second factor: `enrolDuringLogin`, then `completeChallenge` with a first code. */
  enrolment_required: boolean;
}

/** The second step: the `mfa_token` and exactly one of a TOTP code and a recovery code. */
export interface SecondFactorProof {
  mfaToken: string;
  code?: string;
  recoveryCode?: string;
}

export interface CompletedChallenge {
  /** Ready for `finish`. */
  proved: ProvedUser;
  /** After a forced enrolment: the new recovery codes, to show once beside the tokens. */
  recoveryCodes?: string[];
}

/** The login outcome (metrics) an error of a sign-in step means; undefined for a malformed request. */
const OUTCOME_OF_ERROR: Partial<Record<ErrorCode, LoginOutcome>> = {
  [ErrorCode.INVALID_CREDENTIALS]: 'bad_credentials',
  [ErrorCode.ACCOUNT_LOCKED]: 'locked',
  [ErrorCode.CAPTCHA_REQUIRED]: 'captcha_required',
  [ErrorCode.CAPTCHA_INVALID]: 'captcha_invalid',
  [ErrorCode.ACCOUNT_DISABLED]: 'disabled',
  [ErrorCode.EMAIL_NOT_VERIFIED]: 'email_not_verified',
  [ErrorCode.INVALID_MFA_CODE]: 'mfa_failed',
  [ErrorCode.INVALID_MFA_TOKEN]: 'mfa_failed',
};

function loginOutcomeOf(err: unknown): LoginOutcome | undefined {
  return err instanceof AppException ? OUTCOME_OF_ERROR[err.code] : 'error';
}

/** 403 ACCOUNT_LOCKED with Retry-After, in seconds until `until`. */
export function lockedError(until: Date): AppException {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppException(ErrorCode.ACCOUNT_LOCKED, { headers: { 'Retry-After': String(seconds) }, params: { seconds } });
}

/**
 * The one sign-in every door goes through (POST /auth/login, the hosted sign-in page, the
 * OAuth password grant): find the account → lockout and captcha → password → account
 * status → second factor → finish (a session, its audit entry, the caches). The doors only
 * translate their request and their answer, so the rules of docs/api.md §3 and §11 hold at
 * every door.
 *
 * A door signs in like this (clientId: the OAuth client asking, none at the API door):
 *
 *     const proved = await signIn.prove(credentials, ctx, clientId);
 *     const challenge = await signIn.challenge(proved, ctx, clientId);
 *     if (challenge) return <ask for the second factor, with challenge.mfa_token>;
 *     const session = await signIn.finish(proved, ctx, { clientId, kind });
 *
 * and, when the second factor comes back (with the same clientId):
 *
 *     const { proved, recoveryCodes } = await signIn.completeChallenge({ mfaToken, code | recoveryCode }, ctx, clientId);
 *     const session = await signIn.finish(proved, ctx, { clientId, kind });
 *
 * The hosted sign-in pages end with `finishBrowser(proved, ctx, clientId)` instead: the same
 * checks and audit, the session being the provider's SSO session (its row made by the adapter).
 *
 * A user who must enrol (`challenge.enrolment_required`) first gets a secret from
 * `enrolDuringLogin(mfaToken, ctx, clientId)`; a code of it then completes the challenge
 * and turns the factor on, with `recoveryCodes` to show once.
 */
@Injectable()
export class SignInService implements OnModuleInit {
  /** Verified for unknown users, so they cost the same time as a wrong password. */
  private dummyHash = '';

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly userAccess: UserAccess,
    private readonly attempts: LoginAttemptsService,
    private readonly hasher: PasswordHasher,
    private readonly captcha: CaptchaService,
    private readonly audit: AuditService,
    private readonly mfa: MfaService,
    @Inject(MFA_CHALLENGE_STORE) private readonly challenges: MfaChallenges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verification: EmailVerificationService,
    private readonly telemetry: Telemetry,
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
    return this.counted(this.provePassword(input, ctx, clientId));
  }

  /** Every step's failure counts in the login metrics by what it means, at every door. */
  private async counted<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (err) {
      const outcome = loginOutcomeOf(err);
      if (outcome) this.telemetry.login(outcome);
      throw err;
    }
  }

  private async provePassword(input: Credentials, ctx: RequestContext, clientId?: string): Promise<ProvedUser> {
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

    // Counted before the password is looked at: concurrent guesses cannot outrun the lock. A
    // name with no failures on record (most) is neither locked nor due a captcha: its first
    // slot is taken at once; otherwise its status decides first.
    let attempt = await this.attempts.takeFirst(key);
    if (!attempt) {
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
      const taken = await this.attempts.take(key);
      if (!taken.taken) {
        await failure('locked');
        throw lockedError(taken.lockedUntil);
      }
      attempt = taken;
    }
    const valid = await this.hasher.verify(user?.passwordHash ?? this.dummyHash, input.password);
    if (!user || !valid) {
      await failure('invalid_credentials', { failed_attempts: attempt.failedAttempts });
      if (attempt.locksIfFailed) {
        this.telemetry.lockout();
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
    // With a second factor still to come, the password gives back only its own slot: the
    // failures before it (wrong codes among them) stay counted until the factor succeeds.
    const secondFactor = await this.mfa.needOf(user);
    if (secondFactor === 'none') await this.attempts.succeeded(key);
    else await this.attempts.release(key);
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
    return { user, checkedHash: user.passwordHash, password: input.password, secondFactor };
  }

  /**
   * After `prove`: null when the user owes no second factor (go on to `finish`). Otherwise a
   * challenge, kept in the shared state for MFA_TOKEN_TTL (300 s) and bound to the user, to
   * `clientId` (a token is good only at the door it came from) and to a SHA-256 digest of
   * the password hash that was checked (a password changed or reset meanwhile voids it).
   * A legacy hash is upgraded here, since the password is gone after the second factor.
   * Nothing is audited yet (`ctx` is taken like every step's): the sign-in is neither won nor
   * lost until `completeChallenge`.
   */
  async challenge(proved: ProvedUser, ctx: RequestContext, clientId?: string): Promise<MfaChallenge | null> {
    if (proved.secondFactor === 'none') return null;
    let checkedHash = proved.checkedHash;
    if (proved.password !== undefined && this.hasher.needsRehash(checkedHash)) {
      const upgraded = await this.hasher.hash(proved.password);
      if (await this.users.upgradeHash(proved.user.id, checkedHash, upgraded)) checkedHash = upgraded;
    }
    const enrol = proved.secondFactor === 'enrol';
    this.telemetry.login('mfa_required');
    const mfaToken = await this.challenges.create({
      userId: proved.user.id,
      clientId: clientId ?? null,
      hashDigest: digestOf(checkedHash),
      enrol,
    });
    return {
      mfa_token: mfaToken,
      mfa_methods: enrol ? ['totp'] : ['totp', 'recovery_code'],
      expires_in: MFA_TOKEN_TTL,
      enrolment_required: enrol,
    };
  }

  /**
   * The forced-enrolment path (MFA_REQUIRED_ROLES): a new secret for the user of an
   * enrolment challenge, pending until `completeChallenge` gets a code of it. May be called
   * again (the newest secret counts); the token stays valid. 401 INVALID_MFA_TOKEN for an
   * unknown, expired or spent token, one of another client, or a user whose password or
   * status changed; 409 MFA_ALREADY_ENABLED for a challenge that asks for a code instead.
   */
  async enrolDuringLogin(mfaToken: string, ctx: RequestContext, clientId?: string): Promise<TotpEnrolment> {
    const challenge = await this.challenges.peek(mfaToken);
    if (!challenge || challenge.clientId !== (clientId ?? null)) throw new AppException(ErrorCode.INVALID_MFA_TOKEN);
    if (!challenge.enrol) throw new AppException(ErrorCode.MFA_ALREADY_ENABLED);
    const user = await this.challengedUser(challenge);
    if (!user) throw new AppException(ErrorCode.INVALID_MFA_TOKEN);
    return this.mfa.begin(user.id);
  }

  /**
   * The second step: the `mfa_token` of `challenge` with exactly one of a TOTP code and a
   * recovery code (400 VALIDATION_FAILED otherwise; an enrolment takes a code only). Each
   * attempt takes a slot of the account's lockout count (LoginAttemptsService, the key the
   * password uses: one lock covers both), so a wrong code is a login failure (403
   * ACCOUNT_LOCKED at the limit); it answers 401 INVALID_MFA_CODE, and the token is burnt
   * after MFA_MAX_WRONG_CODES (5) of them. 401 INVALID_MFA_TOKEN for an unknown, expired or
   * spent token, one of another client (burnt too), or one whose user changed password,
   * status or factor since. On success the count is cleared, `auth.mfa.success` written, and
   * the ProvedUser (no password: `finish` upgrades no hash) is ready for `finish`; after an
   * enrolment the factor is on and `recoveryCodes` holds the new codes.
   */
  async completeChallenge(input: SecondFactorProof, ctx: RequestContext, clientId?: string): Promise<CompletedChallenge> {
    return this.counted(this.proveSecondFactor(input, ctx, clientId));
  }

  private async proveSecondFactor(input: SecondFactorProof, ctx: RequestContext, clientId?: string): Promise<CompletedChallenge> {
    if ((input.code === undefined) === (input.recoveryCode === undefined)) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, {
        details: [detail('code', 'exactly_one', { fields: 'code, recovery_code' })],
      });
    }
    const method: MfaMethod = input.code !== undefined ? 'totp' : 'recovery_code';
    const challenge = await this.challenges.take(input.mfaToken);
    if (!challenge) throw new AppException(ErrorCode.INVALID_MFA_TOKEN);
    const client = clientId ? { client_id: clientId } : {};
    const record = (success: boolean, detail: Record<string, unknown>) =>
      this.audit.record(
        {
          action: success ? 'auth.mfa.success' : 'auth.mfa.failure',
          actorId: challenge.userId,
          targetType: 'user',
          targetId: challenge.userId,
          success,
          detail: { method, ...(challenge.enrol ? { enrolment: true } : {}), ...detail, ...client },
        },
        ctx,
      );
    if (challenge.clientId !== (clientId ?? null)) {
      await record(false, { reason: 'wrong_client' });
      throw new AppException(ErrorCode.INVALID_MFA_TOKEN);
    }
    if (challenge.enrol && method === 'recovery_code') {
      await this.challenges.putBack(input.mfaToken, challenge);
      throw new AppException(ErrorCode.VALIDATION_FAILED, {
        details: [
          detail(
            'recovery_code',
            'not_allowed',
            undefined,
            'an enrolment is completed with a code of the new authenticator, not a recovery code',
          ),
        ],
      });
    }
    const user = await this.challengedUser(challenge);
    if (!user) {
      await record(false, { reason: 'stale' });
      throw new AppException(ErrorCode.INVALID_MFA_TOKEN);
    }
    if (challenge.enrol && !(await this.mfa.hasPendingSecret(user.id))) {
      // The code cannot be checked before a secret was handed out (POST /auth/login/mfa/enrol).
      await this.challenges.putBack(input.mfaToken, challenge);
      throw new AppException(ErrorCode.MFA_NOT_ENABLED);
    }

    const key = this.attempts.keyOf({ userId: user.id });
    const attempt = await this.attempts.take(key);
    if (!attempt.taken) {
      await record(false, { reason: 'locked' });
      throw lockedError(attempt.lockedUntil);
    }
    let recoveryCodes: string[] | null = null;
    let recoveryCodesLeft: number | null = null;
    let valid: boolean;
    if (challenge.enrol) {
      recoveryCodes = await this.mfa.confirm(user.id, input.code!, ctx, { during_login: true, ...client });
      valid = recoveryCodes !== null;
    } else if (method === 'totp') {
      valid = await this.mfa.verifyTotp(user.id, input.code!);
    } else {
      recoveryCodesLeft = await this.mfa.useRecoveryCode(user.id, input.recoveryCode!);
      valid = recoveryCodesLeft !== null;
    }
    if (!valid) {
      const wrongCodes = challenge.wrongCodes + 1;
      await record(false, { reason: 'invalid_code', failed_attempts: attempt.failedAttempts, wrong_codes: wrongCodes });
      if (attempt.locksIfFailed) {
        this.telemetry.lockout();
        await this.audit.record(
          { action: 'auth.locked', actorId: user.id, targetType: 'user', targetId: user.id, success: false, detail: { ...client } },
          ctx,
        );
      }
      if (wrongCodes < MFA_MAX_WRONG_CODES) await this.challenges.putBack(input.mfaToken, { ...challenge, wrongCodes });
      throw new AppException(ErrorCode.INVALID_MFA_CODE);
    }
    await this.attempts.succeeded(key);
    await record(true, recoveryCodesLeft === null ? {} : { recovery_codes_left: recoveryCodesLeft });
    return {
      proved: { user, checkedHash: user.passwordHash, secondFactor: 'none' },
      ...(recoveryCodes ? { recoveryCodes } : {}),
    };
  }

  /** The challenge's user, if still active, with the checked password and the factor the challenge expects; else null. */
  private async challengedUser(challenge: Challenge): Promise<User | null> {
    const user = await this.users.findWithHash(challenge.userId);
    if (!user || user.status !== 'active' || digestOf(user.passwordHash) !== challenge.hashDigest) return null;
    // Enabled meanwhile (an enrolment challenge), or removed by an administrator (a code challenge).
    if (Boolean(user.mfaEnabled) === challenge.enrol) return null;
    return user;
  }

  /**
   * Signs a proved user in: one transaction stamps `last_login_at` (only if the password
   * and status are still the ones checked: a reset, change or disable that committed
   * meanwhile revoked every session, and this one must not outlive it), creates the
   * session (`kind` api by default; `oauth` for a grant of `clientId`) and writes
   * `auth.login.success`. A legacy hash is upgraded on the way (when the password is at
   * hand). Throws (a 500: a door's mistake) while a second factor is owed.
   */
  async finish(proved: ProvedUser, ctx: RequestContext, opts: { clientId?: string; kind?: SessionKind } = {}): Promise<Session> {
    const session = await this.counted(this.signInAs(proved, ctx, opts.clientId, opts.kind ?? 'api'));
    this.telemetry.login('success');
    return session!;
  }

  /**
   * `finish` for the hosted sign-in pages (docs/api.md §10): the same checks, stamp and
   * `auth.login.success` entry, but no session row here. The browser's SSO session is
   * oidc-provider's, and its `sso` row is made by the provider's adapter when that session
   * is saved (so RP-initiated logout and the revocations of §9 end it); each client's grant
   * gets its own `oauth` row the same way.
   */
  async finishBrowser(proved: ProvedUser, ctx: RequestContext, clientId: string): Promise<void> {
    await this.counted(this.signInAs(proved, ctx, clientId, null));
    this.telemetry.login('success');
  }

  private async signInAs(
    proved: ProvedUser,
    ctx: RequestContext,
    clientId: string | undefined,
    kind: SessionKind | null,
  ): Promise<Session | null> {
    if (proved.secondFactor !== 'none') throw new Error('SignInService.finish: a second factor is owed; call challenge() first');
    const { user } = proved;
    const newHash =
      proved.password !== undefined && this.hasher.needsRehash(proved.checkedHash) ? await this.hasher.hash(proved.password) : null;
    const loggedInAt = new Date();
    const session = await runTransaction(this.dataSource, async (em) => {
      if (!(await this.users.stampLogin(em, user.id, proved.checkedHash, loggedInAt, newHash))) {
        throw new AppException(ErrorCode.INVALID_CREDENTIALS);
      }
      // An OAuth sign-in's session is its grant's: it lives as long as the grant may (docs/api.md §9).
      const created =
        kind === null
          ? null
          : await this.sessions.create(user.id, ctx, em, {
              kind,
              clientId,
              ...(kind === 'oauth' ? { expiresAt: new Date(Date.now() + this.config.jwt.sessionMaxLifetime * 1000) } : {}),
            });
      await this.audit.record(
        {
          action: 'auth.login.success',
          actorId: user.id,
          targetType: 'user',
          targetId: user.id,
          detail: {
            ...(created ? { session_id: created.id } : { hosted_page: true }),
            ...(clientId ? { client_id: clientId } : {}),
            ...(newHash ? { rehashed: true } : {}),
          },
        },
        ctx,
        em,
      );
      return created;
    });
    // last_login_at changed: the cached profile follows (and is dropped on other instances).
    await this.userAccess.stamped(user.id, loggedInAt);
    return session;
  }

  /**
   * A signed-in user proves their password again (changing it, their email or phone, their
   * second factor); `action` names the change in the audit log. A wrong one counts as a login failure of the account (docs/api.md §4),
   * so a stolen access token cannot be used to guess it: 400 WRONG_PASSWORD, and
   * 403 ACCOUNT_LOCKED once the account is locked. With `totpCode`, a current code of the
   * user's second factor must come with it (401 INVALID_MFA_CODE), in the same attempt: the
   * count is cleared only when both are right, so knowing the password does not let anyone
   * guess codes without end.
   */
  async reauthenticate(
    userId: string,
    password: string | undefined,
    ctx: RequestContext,
    action: AuditAction,
    totpCode?: string,
  ): Promise<User> {
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
        this.telemetry.lockout();
        await this.audit.record({ action: 'auth.locked', actorId: userId, targetType: 'user', targetId: userId, success: false }, ctx);
      }
      throw new AppException(ErrorCode.WRONG_PASSWORD);
    }
    if (totpCode !== undefined && !(await this.mfa.verifyTotp(userId, totpCode))) {
      await this.audit.record(
        {
          action,
          actorId: userId,
          targetType: 'user',
          targetId: userId,
          success: false,
          detail: { reason: 'invalid_code', failed_attempts: attempt.failedAttempts },
        },
        ctx,
      );
      if (attempt.locksIfFailed) {
        this.telemetry.lockout();
        await this.audit.record({ action: 'auth.locked', actorId: userId, targetType: 'user', targetId: userId, success: false }, ctx);
      }
      throw new AppException(ErrorCode.INVALID_MFA_CODE);
    }
    await this.attempts.succeeded(key);
    return user;
  }
}
