import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AuthzModule } from '../authz/authz.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { StateModule } from '../state/state.module.js';
import { ClientAccess } from './client-access.js';
import { OAuthClient } from './client.entity.js';
import { ClientsController } from './clients.controller.js';
import { CLIENT_CACHE, ClientsService } from './clients.service.js';

/** OAuth clients (docs/api.md §9): /api/v1/clients, their secrets, and their service accounts' access. */
@Module({
  imports: [TypeOrmModule.forFeature([OAuthClient]), AuthzModule, AuditModule, RolesModule, SessionsModule, StateModule],
  controllers: [ClientsController],
  providers: [
    ClientsService,
    ClientAccess,
    { provide: CLIENT_CACHE, inject: [SHARED_STATE], useFactory: (state: SharedState) => state.cache('client') },
  ],
  exports: [ClientsService],
})
export class ClientsModule {}
