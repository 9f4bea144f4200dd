import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessService, type Access, type AccessSource } from '../authz/access.service.js';
import { RolesService } from '../roles/roles.service.js';
import { OAuthClient } from './client.entity.js';

/**
 * The access of a client's service account (docs/api.md §9): a `client_credentials` token
 * acts with the permissions of the roles given to the client, while the client is active.
 * Keyed by `client_id` (the token's `sub`); the audit log names the client's row id.
 */
@Injectable()
export class ClientAccess implements AccessSource, OnModuleInit {
  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly roles: RolesService,
    private readonly access: AccessService,
  ) {}

  onModuleInit(): void {
    this.access.register('client', this);
  }

  async load(clientId: string): Promise<Access | null> {
    const client = await this.clients.findOne({ where: { clientId }, relations: { roles: true } });
    if (!client) return null;
    const { isSuperAdmin, codes } = await this.roles.permissionCodes(client.roles);
    return { active: client.status === 'active', isSuperAdmin, permissions: new Set(codes), actorId: client.id };
  }
}
