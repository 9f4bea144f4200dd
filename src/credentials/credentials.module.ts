import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { Telemetry } from '../common/telemetry/telemetry.js';
import { TelemetryModule } from '../common/telemetry/telemetry.module.js';
import { LoginAttemptsService } from './login-attempts.service.js';
import { LoginFailure } from './login-failure.entity.js';
import { defaultHashPool, PasswordHasher } from './password-hasher.js';
import { PasswordPolicy } from './password-policy.js';
import { UserToken } from './user-token.entity.js';
import { UserTokensService } from './user-tokens.service.js';

/**
 * What proves who someone is, below the users: password hashing (one pool per process),
 * the password policy, the failure counts and locks of login names, and the single-use
 * tokens mailed to users.
 */
@Module({
  imports: [TypeOrmModule.forFeature([LoginFailure, UserToken]), TelemetryModule],
  providers: [
    {
      provide: PasswordHasher,
      inject: [APP_CONFIG, Telemetry],
      useFactory: (config: AppConfig, telemetry: Telemetry) => {
        const size = config.auth.hashPoolSize ?? defaultHashPool(config.auth.uvThreadpoolSize);
        // One more in flight only when libuv cannot run it beside the others (see PasswordHasher).
        return new PasswordHasher(size, telemetry, { queueAhead: config.auth.uvThreadpoolSize <= size });
      },
    },
    PasswordPolicy,
    LoginAttemptsService,
    UserTokensService,
  ],
  exports: [PasswordHasher, PasswordPolicy, LoginAttemptsService, UserTokensService],
})
export class CredentialsModule {}
