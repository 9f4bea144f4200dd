import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { AppConfig } from './config/app.config.js';
import { AppConfigModule } from './config/config.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { EnvelopeInterceptor } from './common/http/envelope.interceptor.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { AccessModule } from './access/access.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { SharedStateModule } from './common/cache/cache.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { UsersAdminModule } from './users/users-admin.module.js';
import { RolesModule } from './roles/roles.module.js';
import { PermissionsModule } from './permissions/permissions.module.js';
import { AuditLogsModule } from './audit/audit-logs.module.js';

/**
 * The root module, built from the validated configuration. The global filter,
 * interceptor and pipe are providers (not `app.use*`) so every test app gets them too.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule,
        SharedStateModule.forRoot(config),
        AccessModule,
        SessionsModule,
        AuditModule,
        AuthModule,
        UsersAdminModule,
        RolesModule,
        PermissionsModule,
        AuditLogsModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
