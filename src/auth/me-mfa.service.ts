import { Injectable } from '@nestjs/common';
import type { Principal, UserPrincipal } from '../authz/principal.js';
import { AuditService } from '../audit/audit.service.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { MfaService, type MfaStatus, type TotpEnrolment } from '../mfa/mfa.service.js';
import { SignInService } from './sign-in.service.js';

/**
 * The signed-in user's second factor (API.md §11, /users/me/mfa…) and an administrator's
 * reset of someone else's. Whatever could hand the factor to a thief of an access token
 * needs the password again (a wrong one counts towards the lock, SignInService.reauthenticate);
 * turning it off needs a current code besides.
 */
@Injectable()
export class MeMfaService {
  constructor(
    private readonly mfa: MfaService,
    private readonly signIn: SignInService,
    private readonly audit: AuditService,
  ) {}

  status(me: UserPrincipal): Promise<MfaStatus> {
    return this.mfa.status(me.userId);
  }

  /** POST /users/me/mfa/totp: a new secret, pending until confirmed. 409 when the factor is on. */
  async beginTotp(me: UserPrincipal, password: string, ctx: RequestContext): Promise<TotpEnrolment> {
    // Checked before the password, so a pointless attempt does not count towards the lock.
    if ((await this.mfa.status(me.userId)).totp_enabled) throw new AppException(ErrorCode.MFA_ALREADY_ENABLED);
    await this.signIn.reauthenticate(me.userId, password, ctx, 'user.mfa.enable');
    return this.mfa.begin(me.userId);
  }

  /** POST /users/me/mfa/totp/confirm: a code of the pending secret turns the factor on; the recovery codes, shown once. */
  async confirmTotp(me: UserPrincipal, code: string, ctx: RequestContext): Promise<string[]> {
    const recoveryCodes = await this.mfa.confirm(me.userId, code, ctx);
    if (!recoveryCodes) {
      await this.audit.record(
        {
          action: 'user.mfa.enable',
          actorId: me.userId,
          targetType: 'user',
          targetId: me.userId,
          success: false,
          detail: { reason: 'invalid_code' },
        },
        ctx,
      );
      throw new AppException(ErrorCode.INVALID_MFA_CODE);
    }
    return recoveryCodes;
  }

  /**
   * DELETE /users/me/mfa/totp: the password and a current code turn the factor off; the
   * recovery codes go with it. A holder of a role that requires a second factor cannot
   * (409 PROTECTED_RESOURCE): an administrator's reset, then a new enrolment, replaces a lost one.
   */
  async disableTotp(me: UserPrincipal, password: string, code: string, ctx: RequestContext): Promise<void> {
    const status = await this.mfa.status(me.userId);
    if (!status.totp_enabled) throw new AppException(ErrorCode.MFA_NOT_ENABLED);
    if (status.required) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
    await this.signIn.reauthenticate(me.userId, password, ctx, 'user.mfa.disable', code);
    await this.mfa.disable(me.userId, ctx);
  }

  /** POST /users/me/mfa/recovery-codes: a new set with the password; the old set stops working. */
  async regenerateRecoveryCodes(me: UserPrincipal, password: string, ctx: RequestContext): Promise<string[]> {
    if (!(await this.mfa.status(me.userId)).totp_enabled) throw new AppException(ErrorCode.MFA_NOT_ENABLED);
    await this.signIn.reauthenticate(me.userId, password, ctx, 'user.mfa.recovery_codes');
    return this.mfa.regenerateRecoveryCodes(me.userId, ctx);
  }

  /** DELETE /users/:id/mfa (user:update). */
  reset(me: Principal, id: string, ctx: RequestContext): Promise<void> {
    return this.mfa.reset(me, id, ctx);
  }
}
