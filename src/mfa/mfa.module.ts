import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AuthzModule } from '../authz/authz.module.js';
import { UsersModule } from '../users/users.module.js';
import { MfaService } from './mfa.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { UserMfa } from './user-mfa.entity.js';

/**
 * The second factor (API.md §11): TOTP secrets and recovery codes, below `auth`, which owns
 * the HTTP routes and the sign-in step that asks for a code (SignInService).
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserMfa, RecoveryCode]), UsersModule, AuditModule, AuthzModule],
  providers: [MfaService],
  exports: [MfaService],
})
export class MfaModule {}
