import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuditModule } from '../audit/audit.module.js';
import { AuthzModule } from '../authz/authz.module.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { StateModule } from '../state/state.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { TelemetryModule } from '../common/telemetry/telemetry.module.js';
import { SignInService } from './sign-in.service.js';
import { CAPTCHA_STORE } from './captcha/captcha.store.js';
import { CaptchaService } from './captcha/captcha.service.js';
import { JwtAccessGuard } from './guards/jwt-access.guard.js';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard.js';
import { MeController } from './me.controller.js';
import { MeMfaService } from './me-mfa.service.js';
import { MeService } from './me.service.js';
import { MeMfaController, UserMfaController } from './mfa.controller.js';
import { MFA_CHALLENGE_STORE, MfaChallenges } from './mfa-challenges.js';
import { PasswordResetService } from './password-reset.service.js';
import { JwtAccessStrategy } from './strategies/jwt-access.strategy.js';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy.js';
import { TokenDelivery } from './token-delivery.js';
import { TokenService } from './token.service.js';
import { REVOKED_JTIS, TokenRevocations } from './token-revocations.js';
import { KeysModule } from '../keys/keys.module.js';

/**
 * Signing in and staying signed in (docs/api.md §3, §4, §11): register, login and its
 * second-factor step, refresh, logout, captcha, password reset, the signed-in user's routes
 * (their second factor too) and an administrator's reset of it, the tokens, and the access guard
 * that every route passes (registered globally at the app root).
 */
@Module({
  imports: [
    UsersModule,
    MfaModule,
    SessionsModule,
    CredentialsModule,
    AuthzModule,
    AuditModule,
    MailModule,
    StateModule,
    KeysModule,
    TelemetryModule,
    PassportModule,
    // Keys are passed per call as KeyObjects by TokenService.
    ThrottlerModule.forRootAsync({
      imports: [StateModule],
      inject: [APP_CONFIG, SHARED_STATE],
      useFactory: (config: AppConfig, state: SharedState) => ({
        storage: state.throttlerStorage(),
        // Named 'default' so the Retry-After header carries no name suffix.
        throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(1, config.auth.rateLimitPerMinute) }],
        skipIf: () => config.auth.rateLimitPerMinute === 0,
      }),
    }),
  ],
  controllers: [AuthController, MeController, MeMfaController, UserMfaController],
  providers: [
    TokenService,
    TokenDelivery,
    AuthService,
    SignInService,
    MeService,
    PasswordResetService,
    CaptchaService,
    { provide: CAPTCHA_STORE, inject: [SHARED_STATE], useFactory: (state: SharedState) => state.kv('captcha') },
    { provide: REVOKED_JTIS, inject: [SHARED_STATE], useFactory: (state: SharedState) => state.kv('revoked-jti') },
    TokenRevocations,
    MeMfaService,
    {
      provide: MFA_CHALLENGE_STORE,
      inject: [SHARED_STATE],
      useFactory: (state: SharedState) => new MfaChallenges(state.kv('mfa-challenge')),
    },
    JwtAccessStrategy,
    JwtRefreshStrategy,
    JwtAccessGuard,
    JwtRefreshGuard,
  ],
  exports: [JwtAccessGuard, TokenService, TokenDelivery, SignInService, TokenRevocations, CaptchaService, PasswordResetService],
})
export class AuthModule {}
