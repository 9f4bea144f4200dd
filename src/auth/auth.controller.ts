import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import { Public } from '../authz/public.decorator.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope.js';
import { BEARER } from '../common/swagger/api-envelope.js';
import { UserDto } from '../users/dto/user.dto.js';
import { AuthService } from './auth.service.js';
import { CaptchaService } from './captcha/captcha.service.js';
import {
  CaptchaDto,
  ForgotPasswordDto,
  LoginDto,
  LoginResultDto,
  LogoutDto,
  RefreshDto,
  RegisterDto,
  ResetPasswordDto,
  ResetTokenStatusDto,
  TokenPairDto,
  VerifyEmailDto,
  VerifyResetQuery,
} from './dto/auth.dto.js';
import { LoginMfaDto, MfaChallengeDto, MfaEnrolDto, MfaLoginResultDto, TotpEnrolmentDto } from './dto/mfa.dto.js';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard.js';
import { RefreshClaims } from './strategies/jwt-refresh.strategy.js';
import { PasswordResetService } from './password-reset.service.js';
import {
  ApiCsrfHeader,
  ApiRefreshCookie,
  CLEARED_COOKIES,
  DeliversTokens,
  TOKEN_COOKIES,
  TokenDelivery,
  type Delivered,
} from './token-delivery.js';
import { EmailVerificationService } from '../users/email-verification.service.js';
import { CurrentUser, type UserPrincipal } from '../authz/principal.js';
import type { RefreshPrincipal } from './token.service.js';

/** docs/api.md §3. The unauthenticated routes are rate-limited per client IP. */
@ApiTags('auth')
@UseGuards(ThrottlerGuard)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly resets: PasswordResetService,
    private readonly captcha: CaptchaService,
    private readonly delivery: TokenDelivery,
    private readonly verification: EmailVerificationService,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account (gets the USER role)' })
  @ApiEnvelope(UserDto, 201, 'Created')
  @ApiErrors(
    E.VALIDATION_FAILED,
    E.INVALID_JSON,
    E.WEAK_PASSWORD,
    E.REGISTRATION_DISABLED,
    E.USERNAME_TAKEN,
    E.EMAIL_TAKEN,
    E.PHONE_TAKEN,
    E.RATE_LIMITED,
  )
  register(@Body() dto: RegisterDto, @Ctx() ctx: RequestContext): Promise<UserDto> {
    return this.auth.register(dto, ctx);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @DeliversTokens()
  @ApiOperation({
    summary: 'Sign in with username, email or phone; returns a token pair and the user',
    description:
      'For a user with a second factor the answer has `mfa_required: true`, an `mfa_token` and no tokens: ' +
      'POST /auth/login/mfa completes the sign-in. A user whose role requires a second factor (MFA_REQUIRED_ROLES) ' +
      'and who has none also gets `mfa_enrolment_required: true`: POST /auth/login/mfa/enrol first. ' +
      'With EMAIL_VERIFICATION=require, a user whose email is not verified gets 403 EMAIL_NOT_VERIFIED once the password is right ' +
      '(and a new verification link, at most 3 an hour).',
  })
  @ApiBody({
    type: LoginDto,
    // Named examples, so Try it out starts from the two required fields (the captcha ones only when asked for).
    examples: {
      password: { summary: 'Username (or email, or phone) and password', value: { username: 'admin', password: 'your password' } },
      captcha: {
        summary: 'After 401 CAPTCHA_REQUIRED: with a captcha from GET /auth/captcha',
        value: { username: 'admin', password: 'your password', captcha_id: '0b9f5c2e-7d1a-4f4e-9a51-3c2d7e8f9a10', captcha_code: 'x7Kp' },
      },
    },
  })
  @ApiEnvelope({ oneOf: [LoginResultDto, MfaChallengeDto] }, 200, 'OK', TOKEN_COOKIES)
  @ApiErrors(
    E.VALIDATION_FAILED,
    E.CAPTCHA_INVALID,
    E.INVALID_CREDENTIALS,
    E.CAPTCHA_REQUIRED,
    E.ACCOUNT_DISABLED,
    E.ACCOUNT_LOCKED,
    E.EMAIL_NOT_VERIFIED,
    E.RATE_LIMITED,
  )
  async login(
    @Body() dto: LoginDto,
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Delivered<LoginResultDto> | MfaChallengeDto> {
    return this.delivery.deliver(request, reply, await this.auth.login(dto, ctx));
  }

  @Public()
  @Post('login/mfa')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a sign-in with the second factor: a TOTP code or a recovery code',
    description:
      'The `mfa_token` of the login answer with `code` or `recovery_code` (exactly one). A wrong code counts as a failed ' +
      'sign-in of the account (LOGIN_MAX_FAILURES locks it); the token expires after 300 s, works once, and is burnt after ' +
      '5 wrong codes. After an enrolment the answer carries the ten `recovery_codes`, shown this once.',
  })
  @DeliversTokens()
  @ApiEnvelope(MfaLoginResultDto, 200, 'OK', TOKEN_COOKIES)
  @ApiErrors(
    E.VALIDATION_FAILED,
    E.INVALID_MFA_CODE,
    E.INVALID_MFA_TOKEN,
    E.ACCOUNT_LOCKED,
    E.MFA_ALREADY_ENABLED,
    E.MFA_NOT_ENABLED,
    E.RATE_LIMITED,
  )
  async loginMfa(
    @Body() dto: LoginMfaDto,
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Delivered<MfaLoginResultDto>> {
    return this.delivery.deliver(request, reply, await this.auth.loginMfa(dto, ctx));
  }

  @Public()
  @Post('login/mfa/enrol')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set up the second factor during a sign-in that requires one',
    description:
      'For a login answer with `mfa_enrolment_required: true`: a new authenticator secret (as text, otpauth URL and QR code). ' +
      'POST /auth/login/mfa with a code of it completes the sign-in and turns the second factor on.',
  })
  @ApiEnvelope(TotpEnrolmentDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_MFA_TOKEN, E.MFA_ALREADY_ENABLED, E.RATE_LIMITED)
  enrol(@Body() dto: MfaEnrolDto, @Ctx() ctx: RequestContext): Promise<TotpEnrolmentDto> {
    return this.auth.enrolDuringLogin(dto.mfa_token, ctx);
  }

  @Public()
  @SkipThrottle()
  @UseGuards(JwtRefreshGuard)
  @Post('refresh')
  @HttpCode(200)
  @ApiBearerAuth(BEARER)
  @ApiRefreshCookie()
  @DeliversTokens()
  @ApiCsrfHeader('Required when the refresh token comes from the cookie')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair (rotation)',
    description:
      'The refresh token comes as `Authorization: Bearer <refresh_token>`, as the body field `refresh_token`, or — when neither is ' +
      'given — as the cookie `authcentre_rt` of cookie mode, with `X-CSRF-Token` and an allowed `Origin`; a refresh from the cookie is ' +
      'answered in cookie mode. It is spent: presenting it again revokes the whole session (REFRESH_TOKEN_REUSED), unless within ' +
      'REFRESH_GRACE_SECONDS of its rotation (several tabs refreshing at once).',
  })
  @ApiBody({ type: RefreshDto, required: false })
  @ApiEnvelope(TokenPairDto, 200, 'OK', TOKEN_COOKIES)
  @ApiErrors(
    E.VALIDATION_FAILED,
    E.UNAUTHENTICATED,
    E.INVALID_TOKEN,
    E.TOKEN_EXPIRED,
    E.TOKEN_REVOKED,
    E.INVALID_TOKEN_TYPE,
    E.REFRESH_TOKEN_REUSED,
    E.CSRF_FAILED,
  )
  async refresh(
    @RefreshClaims() principal: RefreshPrincipal,
    @Body() _dto: RefreshDto,
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.delivery.deliver(request, reply, await this.auth.refresh(principal, ctx));
  }

  @SkipThrottle()
  @Post('logout')
  @HttpCode(200)
  @ApiBearerAuth(BEARER)
  @ApiCsrfHeader('Required when the request carries the refresh cookie (cookie mode)')
  @ApiOperation({
    summary: 'Revoke this session, or every session of the user',
    description:
      'Needs the access token. In cookie mode the session of the refresh cookie ends too and both cookies are cleared; a request ' +
      'that carries the refresh cookie needs `X-CSRF-Token` and an allowed `Origin`.',
  })
  @ApiBody({ type: LogoutDto, required: false })
  @ApiEnvelope(null, 200, 'OK', CLEARED_COOKIES)
  @ApiErrors(E.VALIDATION_FAILED, E.UNAUTHENTICATED, E.INVALID_TOKEN, E.TOKEN_EXPIRED, E.TOKEN_REVOKED, E.INVALID_TOKEN_TYPE, E.CSRF_FAILED)
  async logout(
    @CurrentUser() me: UserPrincipal,
    @Body() dto: LogoutDto,
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<null> {
    const cookieSession = this.delivery.logoutCookieSession(request);
    await this.auth.logout(me, dto?.all_sessions === true, ctx, cookieSession);
    this.delivery.clear(request, reply);
    return null;
  }

  @Public()
  @Post('email/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the email address with the token of the verification mail',
    description: 'Single use; the user then shows `email_verified: true`. An unknown, expired or used token is 400 INVALID_VERIFY_TOKEN.',
  })
  @ApiEnvelope(null)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_VERIFY_TOKEN, E.RATE_LIMITED)
  async verifyEmail(@Body() dto: VerifyEmailDto, @Ctx() ctx: RequestContext): Promise<null> {
    await this.verification.verify(dto.token, ctx);
    return null;
  }

  @Public()
  @Get('captcha')
  @ApiOperation({ summary: 'A single-use captcha image (SVG data URL)' })
  @ApiEnvelope(CaptchaDto)
  @ApiErrors(E.RATE_LIMITED)
  getCaptcha(): Promise<CaptchaDto> {
    return this.captcha.create();
  }

  @Public()
  @Post('password/forgot')
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a password reset link; the answer is the same whether or not the email exists' })
  @ApiEnvelope(null, 202, 'Accepted')
  @ApiErrors(E.VALIDATION_FAILED, E.RATE_LIMITED)
  forgot(@Body() dto: ForgotPasswordDto, @Ctx() ctx: RequestContext): null {
    this.resets.forgot(dto.email, ctx);
    return null;
  }

  @Public()
  @Get('password/reset/verify')
  @ApiOperation({ summary: 'Check a reset token before asking for the new password' })
  @ApiEnvelope(ResetTokenStatusDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_RESET_TOKEN, E.RATE_LIMITED)
  verifyReset(@Query() query: VerifyResetQuery) {
    return this.resets.verify(query.token);
  }

  @Public()
  @Post('password/reset')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password with a reset token; revokes every session' })
  @ApiEnvelope(null)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_RESET_TOKEN, E.WEAK_PASSWORD, E.NOT_FOUND, E.RATE_LIMITED)
  async reset(@Body() dto: ResetPasswordDto, @Ctx() ctx: RequestContext): Promise<null> {
    await this.resets.reset(dto.token, dto.new_password, ctx);
    return null;
  }
}
