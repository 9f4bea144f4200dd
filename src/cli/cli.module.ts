import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminCommands } from './admin-commands.service.js';

/**
 * The admin CLI's services (src/cli.ts builds a standalone application context of this, the
 * configuration and the database): the features' own services, no HTTP, no OAuth provider,
 * no metrics server.
 */
@Module({
  imports: [UsersModule, RolesModule, CredentialsModule, KeysModule, ClientsModule, AuditModule],
  providers: [AdminCommands],
  exports: [AdminCommands],
})
export class CliModule {}
