import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AuthzModule } from '../authz/authz.module.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { MailModule } from '../mail/mail.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { StateModule } from '../state/state.module.js';
import { EmailVerificationService } from './email-verification.service.js';
import { SuperAdmins } from './super-admins.js';
import { UserAccess } from './user-access.js';
import { User } from './user.entity.js';
import { UserQueryService } from './user-query.service.js';
import { UserRolesService } from './user-roles.service.js';
import { UsersAdminService } from './users-admin.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/**
 * Users: the accounts (UsersService, the one owner of the users table and its role
 * links), their access and profile for the authorization layer (UserAccess), the
 * verification of their email (EmailVerificationService, docs/api.md §12), and their
 * administration at /users (docs/api.md §5).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    AuthzModule,
    AuditModule,
    RolesModule,
    CredentialsModule,
    SessionsModule,
    MailModule,
    StateModule,
  ],
  controllers: [UsersController],
  providers: [UsersService, UserAccess, UserQueryService, UsersAdminService, UserRolesService, SuperAdmins, EmailVerificationService],
  exports: [UsersService, UserAccess, EmailVerificationService, UsersAdminService],
})
export class UsersModule {}
