import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { THROTTLER_STORE } from '../common/cache/cache.module.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { MailModule } from '../mail/mail.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { CaptchaService } from './captcha/captcha.service.js';
import { JwtAccessGuard } from './guards/jwt-access.guard.js';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard.js';
import { PermissionsGuard } from './guards/permissions.guard.js';
import { LoginAttemptsService } from './login-attempts.service.js';
import { LoginFailure } from './login-failure.entity.js';
import { MeController } from './me.controller.js';
import { MeService } from './me.service.js';
import { PasswordPolicy } from './password/password-policy.js';
import { PasswordResetToken } from './password-reset-token.entity.js';
import { PasswordResetService } from './password-reset.service.js';
import { JwtAccessStrategy } from './strategies/jwt-access.strategy.js';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [
    UsersModule,
    MailModule,
    PassportModule,
    // Keys are passed per call as KeyObjects by TokenService.
    JwtModule.register({}),
    TypeOrmModule.forFeature([LoginFailure, PasswordResetToken]),
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, THROTTLER_STORE],
      useFactory: (config: AppConfig, storage: ThrottlerStorage) => ({
        storage,
        // Named 'default' so the Retry-After header carries no name suffix.
        throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(1, config.auth.rateLimitPerMinute) }],
        skipIf: () => config.auth.rateLimitPerMinute === 0,
      }),
    }),
  ],
  controllers: [AuthController, MeController],
  providers: [
    TokenService,
    AuthService,
    MeService,
    PasswordResetService,
    LoginAttemptsService,
    PasswordPolicy,
    CaptchaService,
    JwtAccessStrategy,
    JwtRefreshStrategy,
    JwtRefreshGuard,
    // Secure by default: the access guard runs first on every route, then the permission check.
    { provide: APP_GUARD, useClass: JwtAccessGuard },
    { provide: APP_GUARD, useClass: PermissionsGuard },
  ],
  exports: [TokenService, LoginAttemptsService, PasswordPolicy],
})
export class AuthModule {}
