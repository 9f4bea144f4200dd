import { Body, Controller, Delete, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Perm } from '../authz/permission-catalogue.js';
import { CurrentPrincipal, CurrentUser, type Principal, type UserPrincipal } from '../authz/principal.js';
import { RequirePermissions } from '../authz/require-permissions.decorator.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { UuidParam } from '../common/http/id-param.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope.js';
import { DisableTotpDto, MfaStatusDto, PasswordConfirmDto, RecoveryCodesDto, TotpCodeDto, TotpEnrolmentDto } from './dto/mfa.dto.js';
import { UserThrottlerGuard } from './guards/user-throttler.guard.js';
import { MeMfaService } from './me-mfa.service.js';

/** API.md §11: the signed-in user's second factor. Needs only a valid access token (of a user). */
@ApiTags('me')
@Controller('users/me/mfa')
export class MeMfaController {
  constructor(private readonly mfa: MeMfaService) {}

  @Get()
  @ApiOperation({ summary: 'Whether your second factor is on, how many recovery codes are left, whether your role requires one' })
  @ApiEnvelope(MfaStatusDto)
  status(@CurrentUser() me: UserPrincipal): Promise<MfaStatusDto> {
    return this.mfa.status(me);
  }

  @Post('totp')
  @HttpCode(200)
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'Start setting up an authenticator app: a new TOTP secret, pending until confirmed',
    description:
      'Needs your password (a wrong one counts as a failed sign-in). The secret comes as text, as an otpauth URL and as a QR code ' +
      '(an SVG data URL); it signs nothing in until POST /users/me/mfa/totp/confirm gets a code of it. Asking again replaces a pending secret.',
  })
  @ApiEnvelope(TotpEnrolmentDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.WRONG_PASSWORD, E.ACCOUNT_LOCKED, E.MFA_ALREADY_ENABLED, E.RATE_LIMITED)
  begin(@CurrentUser() me: UserPrincipal, @Body() dto: PasswordConfirmDto, @Ctx() ctx: RequestContext): Promise<TotpEnrolmentDto> {
    return this.mfa.beginTotp(me, dto.password, ctx);
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'Turn the second factor on with a code of the pending secret; returns the recovery codes',
    description: 'The ten recovery codes are shown this once; each signs in once instead of a code.',
  })
  @ApiEnvelope(RecoveryCodesDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.INVALID_MFA_CODE, E.MFA_ALREADY_ENABLED, E.MFA_NOT_ENABLED, E.RATE_LIMITED)
  async confirm(@CurrentUser() me: UserPrincipal, @Body() dto: TotpCodeDto, @Ctx() ctx: RequestContext): Promise<RecoveryCodesDto> {
    return { recovery_codes: await this.mfa.confirmTotp(me, dto.code, ctx) };
  }

  @Delete('totp')
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'Turn the second factor off; the recovery codes are dropped',
    description:
      'Needs your password and a current code, in one attempt: either wrong counts as a failed sign-in. ' +
      'Refused (409 PROTECTED_RESOURCE) while a role of yours requires a second factor.',
  })
  @ApiEnvelope(null)
  @ApiErrors(
    E.VALIDATION_FAILED,
    E.INVALID_JSON,
    E.WRONG_PASSWORD,
    E.INVALID_MFA_CODE,
    E.ACCOUNT_LOCKED,
    E.MFA_NOT_ENABLED,
    E.PROTECTED_RESOURCE,
    E.RATE_LIMITED,
  )
  async disable(@CurrentUser() me: UserPrincipal, @Body() dto: DisableTotpDto, @Ctx() ctx: RequestContext): Promise<null> {
    await this.mfa.disableTotp(me, dto.password, dto.code, ctx);
    return null;
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'A new set of ten recovery codes; the old set stops working',
    description: 'Needs your password (a wrong one counts as a failed sign-in). The codes are shown this once.',
  })
  @ApiEnvelope(RecoveryCodesDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.WRONG_PASSWORD, E.ACCOUNT_LOCKED, E.MFA_NOT_ENABLED, E.RATE_LIMITED)
  async regenerate(
    @CurrentUser() me: UserPrincipal,
    @Body() dto: PasswordConfirmDto,
    @Ctx() ctx: RequestContext,
  ): Promise<RecoveryCodesDto> {
    return { recovery_codes: await this.mfa.regenerateRecoveryCodes(me, dto.password, ctx) };
  }
}

/** API.md §11: an administrator removes a user's second factor (a lost phone). */
@ApiTags('users')
@Controller('users')
export class UserMfaController {
  constructor(private readonly mfa: MeMfaService) {}

  @Delete(':id/mfa')
  @RequirePermissions(Perm.USER_UPDATE)
  @ApiOperation({
    summary: "Remove a user's second factor (a lost phone)",
    description:
      'The user then signs in with the password alone, or sets up a new authenticator at the next sign-in if a role of theirs ' +
      'requires one. Audited (`user.mfa.reset`). Not for yourself (409 PROTECTED_RESOURCE: use DELETE /users/me/mfa/totp). ' +
      'A caller who is not SUPER_ADMIN cannot change a SUPER_ADMIN user, nor a user holding a role with a permission the caller lacks (403 FORBIDDEN).',
  })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND, E.MFA_NOT_ENABLED, E.PROTECTED_RESOURCE)
  async reset(@CurrentPrincipal() me: Principal, @UuidParam() id: string, @Ctx() ctx: RequestContext): Promise<null> {
    await this.mfa.reset(me, id, ctx);
    return null;
  }
}
