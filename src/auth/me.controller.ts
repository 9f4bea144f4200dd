import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { AppException } from '../common/errors/app.exception.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope.js';
import { MeDto } from '../users/dto/user.dto.js';
import { ChangePasswordDto, SessionDto, UpdateMeDto } from './dto/me.dto.js';
import { UserThrottlerGuard } from './guards/user-throttler.guard.js';
import { MeService } from './me.service.js';
import { CurrentUser, type UserPrincipal } from '../authz/principal.js';
import { UserAccess } from '../users/user-access.js';
import { EmailVerificationService, VERIFY_MAILS_PER_HOUR } from '../users/email-verification.service.js';

/** docs/api.md §4: the signed-in user. Needs only a valid access token. */
@ApiTags('me')
@Controller('users/me')
export class MeController {
  constructor(
    private readonly me: MeService,
    private readonly profiles: UserAccess,
    private readonly verification: EmailVerificationService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user with their permissions' })
  @ApiEnvelope(MeDto)
  async get(@CurrentUser() me: UserPrincipal): Promise<MeDto> {
    const profile = await this.profiles.me(me);
    if (!profile) throw new AppException(E.TOKEN_REVOKED);
    return profile;
  }

  @Patch()
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'Change nickname, email, phone or avatar',
    description:
      'Changing `email` or `phone` needs `current_password`; a wrong one counts as a failed sign-in of the account. ' +
      'A new email is unverified, the old address gets a notice, and pending reset links stop working.',
  })
  @ApiEnvelope(MeDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.WRONG_PASSWORD, E.ACCOUNT_LOCKED, E.EMAIL_TAKEN, E.PHONE_TAKEN)
  update(@CurrentUser() me: UserPrincipal, @Body() dto: UpdateMeDto, @Ctx() ctx: RequestContext): Promise<MeDto> {
    return this.me.update(me, dto, ctx);
  }

  @Post('email/verification')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mail the email verification link again',
    description:
      `A new single-use link to the account's email; the links sent before stay good until they expire. At most ${VERIFY_MAILS_PER_HOUR} ` +
      'an hour (429 RATE_LIMITED with Retry-After). Nothing is sent once the email is verified; 400 when the account has no email; ' +
      '404 when EMAIL_VERIFICATION=off.',
  })
  @ApiEnvelope(null)
  @ApiErrors(E.VALIDATION_FAILED, E.NOT_FOUND, E.RATE_LIMITED)
  async resendVerification(@CurrentUser() me: UserPrincipal, @Ctx() ctx: RequestContext): Promise<null> {
    await this.verification.resend(me.userId, ctx);
    return null;
  }

  @Put('password')
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'Change the password; every other session is revoked',
    description: 'A wrong `old_password` counts as a failed sign-in of the account: after LOGIN_MAX_FAILURES the account is locked (403).',
  })
  @ApiEnvelope(null)
  @ApiErrors(E.VALIDATION_FAILED, E.WRONG_PASSWORD, E.WEAK_PASSWORD, E.ACCOUNT_LOCKED)
  async changePassword(@CurrentUser() me: UserPrincipal, @Body() dto: ChangePasswordDto, @Ctx() ctx: RequestContext): Promise<null> {
    await this.me.changePassword(me, dto, ctx);
    return null;
  }

  @Get('sessions')
  @ApiOperation({ summary: 'The live sessions of the signed-in user' })
  @ApiEnvelope([SessionDto])
  sessions(@CurrentUser() me: UserPrincipal): Promise<SessionDto[]> {
    return this.me.listSessions(me);
  }

  @Delete('sessions/:id')
  @ApiOperation({ summary: 'Revoke one of your own sessions' })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND)
  async revokeSession(
    @CurrentUser() me: UserPrincipal,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new AppException(E.NOT_FOUND) })) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<null> {
    await this.me.revokeSession(me, id, ctx);
    return null;
  }
}
