import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { JwtAccessGuard } from './auth/guards/jwt-access.guard.js';
import { AuthzModule } from './authz/authz.module.js';
import { PermissionsGuard } from './authz/permissions.guard.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { EnvelopeInterceptor } from './common/http/envelope.interceptor.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import type { AppConfig } from './config/app.config.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ClientsModule } from './clients/clients.module.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { AccountPagesModule } from './account-pages/account-pages.module.js';
import { PermissionsModule } from './permissions/permissions.module.js';
import { RolesModule } from './roles/roles.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * The root module, built from the validated configuration: the feature modules, and the
 * request pipeline every route passes. The global guards, filter, interceptor and pipe
 * are providers (not `app.use*`) so every test app gets them too. Secure by default: the
 * access guard runs first on every route (a route opts out with `@Public()`), then the
 * permission check.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        AuthzModule,
        AuditModule,
        PermissionsModule,
        RolesModule,
        UsersModule,
        AuthModule,
        ClientsModule,
        OAuthModule,
        AccountPagesModule,
        HealthModule,
        // Prometheus metrics on their own port, only with METRICS_PORT (docs/operations.md).
        ...(config.metrics.port !== undefined ? [MetricsModule] : []),
      ],
      providers: [
        { provide: APP_GUARD, useExisting: JwtAccessGuard },
        { provide: APP_GUARD, useExisting: PermissionsGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
