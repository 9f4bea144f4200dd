import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import QRCode from 'qrcode';
import { DataSource, IsNull, Repository, type EntityManager } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import type { Principal } from '../authz/principal.js';
import { assertMayActOnUser } from '../authz/privilege.js';
import { AuditService, type AuditAction } from '../audit/audit.service.js';
import { Sealer } from '../common/crypto/sealer.js';
import { runTransaction } from '../common/database/transaction.js';
import { isDuplicateKey } from '../common/errors/map-error.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { canonicalRecoveryCode, newRecoveryCodes, RecoveryCodeHasher } from './recovery-codes.js';
import { matchTotpStep, newTotpSecret, totpUri } from './totp.js';
import { UserMfa } from './user-mfa.entity.js';

/** What a user who just proved their password still owes before they are signed in. */
export type SecondFactorNeed = 'none' | 'totp' | 'enrol';

/** A new TOTP secret, shown once to the user who asked for it (API.md §11). */
export interface TotpEnrolment {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  otpauth_url: string;
  /** The otpauth URL as a QR code: an SVG `data:` URL. */
  qr_code: string;
}

export interface MfaStatus {
  totp_enabled: boolean;
  recovery_codes_left: number;
  /** The user holds a role of MFA_REQUIRED_ROLES. */
  required: boolean;
}

/**
 * The second factor of API.md §11: TOTP secrets (sealed with ENCRYPTION_KEY), the time
 * step last used per user (in the database, so a code works once across every instance),
 * and single-use recovery codes (stored as keyed digests). It knows no HTTP and no sign-in
 * flow: `auth` drives it (SignInService for the login step, the /users/me/mfa routes).
 *
 * Rules that hold here whoever calls:
 * - a secret is pending until a code of it confirms it, so setting one up cannot lock
 *   anybody out; confirming turns the factor on and makes ten recovery codes;
 * - a code's time step is used up by a conditional UPDATE: two requests racing with one
 *   code, on any instances, cannot both pass;
 * - each change commits with its audit entry; the cached profile (Me shows `mfa_enabled`)
 *   is dropped after the commit.
 */
@Injectable()
export class MfaService {
  private readonly sealer: Sealer;
  private readonly codeHasher: RecoveryCodeHasher;

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(UserMfa) private readonly factors: Repository<UserMfa>,
    @InjectRepository(RecoveryCode) private readonly codes: Repository<RecoveryCode>,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (!config.encryptionKey) throw new Error('ENCRYPTION_KEY is not resolved: second-factor secrets cannot be sealed');
    this.sealer = new Sealer(config.encryptionKey);
    this.codeHasher = new RecoveryCodeHasher(config.encryptionKey);
  }

  /**
   * What a user who just proved their password still owes: a TOTP code when their factor is
   * on; an enrolment when they hold a role of MFA_REQUIRED_ROLES and have none; else nothing.
   * `user.mfaEnabled` as loaded for the login; the roles are read only when roles are required.
   */
  async needOf(user: Pick<User, 'id' | 'mfaEnabled'>): Promise<SecondFactorNeed> {
    if (user.mfaEnabled) return 'totp';
    return (await this.isRequired(user.id)) ? 'enrol' : 'none';
  }

  /** The user holds a role of MFA_REQUIRED_ROLES. */
  async isRequired(userId: string): Promise<boolean> {
    const required = this.config.mfa.requiredRoles;
    if (!required.length) return false;
    const user = await this.users.findById(userId);
    return !!user && user.roles.some((role) => required.includes(role.code));
  }

  /** GET /users/me/mfa. */
  async status(userId: string): Promise<MfaStatus> {
    const user = await this.users.findById(userId);
    if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
    const required = this.config.mfa.requiredRoles;
    return {
      totp_enabled: Boolean(user.mfaEnabled),
      recovery_codes_left: user.mfaEnabled ? await this.codes.countBy({ userId, usedAt: IsNull() }) : 0,
      required: user.roles.some((role) => required.includes(role.code)),
    };
  }

  /**
   * A new secret for the user, pending until `confirm` gets a code of it; it replaces a
   * pending one and leaves a confirmed one alone. 409 MFA_ALREADY_ENABLED when the factor is on.
   */
  async begin(userId: string): Promise<TotpEnrolment> {
    const user = await this.users.findById(userId);
    if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
    if (user.mfaEnabled) throw new AppException(ErrorCode.MFA_ALREADY_ENABLED);
    const secret = newTotpSecret();
    const pendingSecret = this.sealer.seal(secret, sealContext(userId));
    const updated = await this.factors.update({ userId }, { pendingSecret });
    if (!updated.affected) {
      try {
        await this.factors.insert({ userId, totpSecret: null, pendingSecret, lastUsedStep: null, enabledAt: null });
      } catch (err) {
        // Two first enrolments raced: the later secret wins, as it would have with the row there.
        if (!isDuplicateKey(err)) throw err;
        await this.factors.update({ userId }, { pendingSecret });
      }
    }
    const otpauthUrl = totpUri(secret, user.username);
    const svg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauth_url: otpauthUrl, qr_code: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}` };
  }

  /** A secret was handed out and waits for a code (`begin`). */
  async hasPendingSecret(userId: string): Promise<boolean> {
    const row = await this.factors.findOneBy({ userId });
    return !!row?.pendingSecret;
  }

  /**
   * Confirms the pending secret with a current code of it: in one transaction the secret
   * becomes the user's, its step is used, ten recovery codes replace any old ones, the flag
   * goes on and `user.mfa.enable` is written. Returns the recovery codes (shown once), or
   * null when the code is wrong (the caller says so, and audits it as its door sees it).
   * 409 MFA_ALREADY_ENABLED when the factor is on; 409 MFA_NOT_ENABLED when nothing is pending.
   */
  async confirm(userId: string, code: string, ctx: RequestContext, detail: Record<string, unknown> = {}): Promise<string[] | null> {
    const recoveryCodes = newRecoveryCodes();
    const confirmed = await runTransaction(this.dataSource, async (em) => {
      const user = await this.users.findById(userId, em);
      if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
      if (user.mfaEnabled) throw new AppException(ErrorCode.MFA_ALREADY_ENABLED);
      const row = await em.getRepository(UserMfa).findOneBy({ userId });
      if (!row?.pendingSecret) throw new AppException(ErrorCode.MFA_NOT_ENABLED);
      const step = matchTotpStep(this.open(row.pendingSecret, userId), code, Date.now());
      if (step === null) return false;
      // Only the pending secret read above moves: a confirmation racing this one, or a new
      // secret handed out meanwhile, makes this one fail instead of enabling a secret unseen.
      const moved = await em
        .getRepository(UserMfa)
        .createQueryBuilder()
        .update(UserMfa)
        .set({ totpSecret: row.pendingSecret, pendingSecret: null, lastUsedStep: step, enabledAt: new Date() })
        .where('user_id = :userId AND pending_secret = :pending', { userId, pending: row.pendingSecret })
        .execute();
      if (moved.affected !== 1) throw new AppException(ErrorCode.MFA_ALREADY_ENABLED);
      await this.users.setMfaEnabled(em, userId, true);
      await this.replaceRecoveryCodes(em, userId, recoveryCodes);
      await this.audit.record({ action: 'user.mfa.enable', actorId: userId, targetType: 'user', targetId: userId, detail }, ctx, em);
      return true;
    });
    if (!confirmed) return null;
    await this.access.invalidate('user', userId);
    return recoveryCodes;
  }

  /**
   * True when `code` is a code of the user's confirmed secret, within a step of now, for a
   * time step later than the last one used; that step is then used up (on every instance).
   * False for a wrong, old, replayed or raced code, and when the user has no confirmed secret.
   */
  async verifyTotp(userId: string, code: string): Promise<boolean> {
    const row = await this.factors.findOneBy({ userId });
    if (!row?.totpSecret) return false;
    const step = matchTotpStep(this.open(row.totpSecret, userId), code, Date.now(), row.lastUsedStep);
    if (step === null) return false;
    const used = await this.factors
      .createQueryBuilder()
      .update(UserMfa)
      .set({ lastUsedStep: step })
      .where('user_id = :userId AND totp_secret = :secret AND (last_used_step IS NULL OR last_used_step < :step)', {
        userId,
        secret: row.totpSecret,
        step,
      })
      .execute();
    return used.affected === 1;
  }

  /** Spends one unused recovery code of the user (single use, even when two race): the codes left, or null when it is none. */
  async useRecoveryCode(userId: string, input: string): Promise<number | null> {
    const code = canonicalRecoveryCode(input);
    if (!code) return null;
    const spent = await this.codes
      .createQueryBuilder()
      .update(RecoveryCode)
      .set({ usedAt: new Date() })
      .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL', { userId, hash: this.codeHasher.digest(userId, code) })
      .execute();
    if (spent.affected !== 1) return null;
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  /** A new set of ten recovery codes (shown once); the old set stops working. 409 MFA_NOT_ENABLED without a factor. */
  async regenerateRecoveryCodes(userId: string, ctx: RequestContext): Promise<string[]> {
    const recoveryCodes = newRecoveryCodes();
    await runTransaction(this.dataSource, async (em) => {
      const user = await this.users.findById(userId, em);
      if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
      if (!user.mfaEnabled) throw new AppException(ErrorCode.MFA_NOT_ENABLED);
      await this.replaceRecoveryCodes(em, userId, recoveryCodes);
      await this.audit.record(
        {
          action: 'user.mfa.recovery_codes',
          actorId: userId,
          targetType: 'user',
          targetId: userId,
          detail: { count: recoveryCodes.length },
        },
        ctx,
        em,
      );
    });
    return recoveryCodes;
  }

  /**
   * The user turns their own factor off (after proving their password and a code: the
   * caller's business). Secret, pending secret and recovery codes go. 409 MFA_NOT_ENABLED
   * when it is off.
   */
  async disable(userId: string, ctx: RequestContext): Promise<void> {
    await runTransaction(this.dataSource, async (em) => {
      const user = await this.users.findById(userId, em);
      if (!user) throw new AppException(ErrorCode.TOKEN_REVOKED);
      await this.remove(em, user, ctx, userId, 'user.mfa.disable');
    });
    await this.access.invalidate('user', userId);
  }

  /**
   * DELETE /users/:id/mfa: an administrator removes a user's factor (a lost phone); the user
   * signs in with the password alone, or enrols again if a role requires it. The rules of the
   * other user-admin routes hold: 404 for an absent user, 403 for a user out of the caller's
   * reach (assertMayActOnUser); and 409 PROTECTED_RESOURCE for oneself (a stolen admin token
   * must not shed its own second factor; DELETE /users/me/mfa/totp needs a code),
   * 409 MFA_NOT_ENABLED when the user has none.
   */
  async reset(me: Principal, id: string, ctx: RequestContext): Promise<void> {
    await runTransaction(this.dataSource, async (em) => {
      const user = await this.users.findForAdmin(em, id);
      assertMayActOnUser(me.access, user);
      if (user.id === me.actorId) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      await this.remove(em, user, ctx, me.actorId, 'user.mfa.reset');
    });
    await this.access.invalidate('user', id);
  }

  private async remove(em: EntityManager, user: User, ctx: RequestContext, actorId: string, action: AuditAction): Promise<void> {
    if (!user.mfaEnabled) throw new AppException(ErrorCode.MFA_NOT_ENABLED);
    await em.getRepository(UserMfa).delete({ userId: user.id });
    const dropped = await em.getRepository(RecoveryCode).delete({ userId: user.id });
    await this.users.setMfaEnabled(em, user.id, false);
    await this.audit.record(
      { action, actorId, targetType: 'user', targetId: user.id, detail: { recovery_codes_dropped: dropped.affected ?? 0 } },
      ctx,
      em,
    );
  }

  private async replaceRecoveryCodes(em: EntityManager, userId: string, codes: string[]): Promise<void> {
    const repo = em.getRepository(RecoveryCode);
    await repo.delete({ userId });
    await repo.insert(
      codes.map((code) => ({ userId, codeHash: this.codeHasher.digest(userId, canonicalRecoveryCode(code)!), usedAt: null })),
    );
  }

  private open(sealed: string, userId: string): string {
    return this.sealer.open(sealed, sealContext(userId));
  }
}

/** Sealed secrets are bound to their user: a value copied to another user's row does not open. */
function sealContext(userId: string): string {
  return `user_mfa:${userId}`;
}
