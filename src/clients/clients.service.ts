import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository, type EntityManager } from 'typeorm';
import { AccessService } from '../authz/access.service.js';
import type { Principal } from '../authz/principal.js';
import { assertRolesInReach } from '../authz/privilege.js';
import { AuditService } from '../audit/audit.service.js';
import { replaceLinks, type Junction } from '../common/database/link-set.js';
import { runTransaction } from '../common/database/transaction.js';
import { AppException, detail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { StateCache } from '../common/cache/state-cache.js';
import type { RequestContext } from '../common/http/request-context.js';
import { fetchPage, orderBy, toPage, whereKeyword, type Page, type SortSpec } from '../common/pagination/page.js';
import { RolesService } from '../roles/roles.service.js';
import { SessionService } from '../sessions/session.service.js';
import { newClientSecret, rotatedSecrets, secretDigest, secretMatches } from './client-secrets.js';
import { OAuthClient } from './client.entity.js';
import { checkClientShape } from './client-rules.js';
import {
  CLIENT_SCOPES,
  toClientDto,
  type ClientDto,
  type ClientWithSecretDto,
  type CreateClientDto,
  type ListClientsQuery,
  type UpdateClientDto,
} from './dto/client.dto.js';

/** The authorization server's view of the active clients (ClientsModule provides it from the shared state). */
export const CLIENT_CACHE = Symbol('CLIENT_CACHE');
/** Bounds staleness should an invalidation ever be missed; every change invalidates at once. */
const CLIENT_CACHE_TTL_SECONDS = 300;

/**
 * What the authorization server reads of a client on each request (its metadata and, for
 * client authentication, its secrets' SHA-256 digests): plain JSON, so the shared state
 * (Redis) can hold it.
 */
export type ActiveClient = Pick<
  OAuthClient,
  'clientId' | 'name' | 'type' | 'grantTypes' | 'redirectUris' | 'postLogoutRedirectUris' | 'scopes' | 'firstParty' | 'secrets'
>;

/** Clients own the junction of their service accounts' roles. */
const CLIENT_ROLES: Junction = { table: 'client_roles', owner: 'client_id', item: 'role_id' };

const SORT: SortSpec<NonNullable<ListClientsQuery['sort']>> = {
  columns: { client_id: 'c.clientId', name: 'c.name', created_at: 'c.createdAt', updated_at: 'c.updatedAt' },
  default: { field: 'created_at', order: 'asc' },
  tiebreak: 'c.id',
};

/**
 * OAuth clients (docs/api.md §9): registration, secrets, the roles of their service
 * accounts, and the lookups the authorization server makes. Rules, checked in this order:
 * 404 (no such client) → 400 (a shape the protocol refuses: redirect URIs, grants for the
 * client type, an unknown role id) → 403 (a role the caller could not assign: §5's rule)
 * → 409 CLIENT_ID_TAKEN. Disabling or deleting a client ends its grants and tokens at once.
 */
@Injectable()
export class ClientsService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly roles: RolesService,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    @Inject(CLIENT_CACHE) private readonly active: StateCache<ActiveClient | null>,
  ) {}

  async list(query: ListClientsQuery): Promise<Page<ClientDto>> {
    const qb = this.clients.createQueryBuilder('c');
    whereKeyword(qb, ['c.clientId', 'c.name'], query.keyword);
    orderBy(qb, SORT, query.sort, query.order);
    const { rows, total } = await fetchPage(qb, query);
    const withRoles = rows.length ? await this.clients.find({ where: { id: In(rows.map((c) => c.id)) }, relations: { roles: true } }) : [];
    const byId = new Map(withRoles.map((c) => [c.id, c]));
    return toPage(
      rows.map((c) => toClientDto(byId.get(c.id) ?? c)),
      total,
      query,
    );
  }

  async get(idOrClientId: string): Promise<ClientDto> {
    return toClientDto(await this.findOrFail(this.dataSource.manager, idOrClientId));
  }

  async create(me: Principal, dto: CreateClientDto, ctx: RequestContext): Promise<ClientDto | ClientWithSecretDto> {
    const shape = checkClientShape({
      type: dto.type,
      grantTypes: dto.grant_types,
      redirectUris: dto.redirect_uris ?? [],
      postLogoutRedirectUris: dto.post_logout_redirect_uris ?? [],
    });
    const secret = dto.type === 'confidential' ? newClientSecret() : null;
    const created = await runTransaction(this.dataSource, async (em) => {
      const roles = await this.roles.findByIdsOrFail(em, dto.role_ids ?? []);
      assertRolesInReach(me.access, roles);
      const id = randomUUID();
      // A taken client_id fails on UQ_clients_client_id → 409 CLIENT_ID_TAKEN (global filter).
      await em.getRepository(OAuthClient).insert({
        id,
        clientId: dto.client_id ?? randomBytes(12).toString('hex'),
        name: dto.name,
        type: dto.type,
        ...shape,
        scopes: dto.scopes ?? [...CLIENT_SCOPES],
        firstParty: dto.first_party ?? false,
        status: 'active',
        secrets: secret ? [{ digest: secretDigest(secret), not_after: null }] : null,
      });
      await replaceLinks(
        em,
        CLIENT_ROLES,
        id,
        [],
        roles.map((r) => r.id),
      );
      const client = await this.findOrFail(em, id);
      await this.audit.record(
        {
          action: 'client.create',
          actorId: me.actorId,
          targetType: 'client',
          targetId: id,
          detail: {
            client_id: client.clientId,
            type: client.type,
            grant_types: client.grantTypes,
            role_ids: roles.map((r) => r.id).sort((a, b) => a - b),
          },
        },
        ctx,
        em,
      );
      return client;
    });
    // Its client_id may have been asked for before it existed (and cached as unknown).
    await this.changed(created.clientId);
    return secret ? { ...toClientDto(created), client_secret: secret } : toClientDto(created);
  }

  async update(me: Principal, idOrClientId: string, dto: UpdateClientDto, ctx: RequestContext): Promise<ClientDto> {
    const { client, ended } = await runTransaction(this.dataSource, async (em) => {
      const current = await this.findOrFail(em, idOrClientId);
      const shape = checkClientShape({
        type: current.type,
        grantTypes: dto.grant_types ?? (current.grantTypes as CreateClientDto['grant_types']),
        redirectUris: dto.redirect_uris ?? current.redirectUris,
        postLogoutRedirectUris: dto.post_logout_redirect_uris ?? current.postLogoutRedirectUris,
      });
      // Acting on a client whose service account holds more than the caller could grant is an escalation.
      assertRolesInReach(me.access, current.roles);
      const changes: Partial<OAuthClient> = {};
      if (dto.name !== undefined && dto.name !== current.name) changes.name = dto.name;
      if (dto.redirect_uris !== undefined) changes.redirectUris = shape.redirectUris;
      if (dto.post_logout_redirect_uris !== undefined) changes.postLogoutRedirectUris = shape.postLogoutRedirectUris;
      if (dto.grant_types !== undefined) changes.grantTypes = shape.grantTypes;
      if (dto.scopes !== undefined) changes.scopes = dto.scopes;
      if (dto.first_party !== undefined && dto.first_party !== current.firstParty) changes.firstParty = dto.first_party;
      if (dto.status !== undefined && dto.status !== current.status) changes.status = dto.status;
      const fields = Object.keys(changes);
      if (dto.role_ids !== undefined) {
        const next = await this.roles.findByIdsOrFail(em, dto.role_ids);
        assertRolesInReach(me.access, next);
        const change = await replaceLinks(
          em,
          CLIENT_ROLES,
          current.id,
          current.roles.map((r) => r.id),
          next.map((r) => r.id),
        );
        if (change.added.length || change.removed.length) fields.push('role_ids');
      }
      if (Object.keys(changes).length) await em.getRepository(OAuthClient).update({ id: current.id }, changes);
      const disabling = changes.status === 'disabled';
      const endedIds = disabling ? await this.sessions.revokeAllForClient(current.clientId, 'client_disabled', em) : [];
      if (fields.length) {
        await this.audit.record(
          {
            action: 'client.update',
            actorId: me.actorId,
            targetType: 'client',
            targetId: current.id,
            detail: { client_id: current.clientId, fields },
          },
          ctx,
          em,
        );
      }
      return { client: await this.findOrFail(em, current.id), ended: endedIds };
    });
    await this.sessions.forget(ended);
    await this.changed(client.clientId);
    return toClientDto(client);
  }

  /** Deleting a client ends its grants and tokens: its sessions rows are revoked, its service account gone. */
  async remove(me: Principal, idOrClientId: string, ctx: RequestContext): Promise<void> {
    const { clientId, ended } = await runTransaction(this.dataSource, async (em) => {
      const client = await this.findOrFail(em, idOrClientId);
      assertRolesInReach(me.access, client.roles);
      const endedIds = await this.sessions.revokeAllForClient(client.clientId, 'client_deleted', em);
      // client_roles rows go with it (ON DELETE CASCADE).
      await em.getRepository(OAuthClient).delete({ id: client.id });
      await this.audit.record(
        {
          action: 'client.delete',
          actorId: me.actorId,
          targetType: 'client',
          targetId: client.id,
          detail: { client_id: client.clientId, grants_ended: endedIds.length },
        },
        ctx,
        em,
      );
      return { clientId: client.clientId, ended: endedIds };
    });
    await this.sessions.forget(ended);
    await this.changed(clientId);
  }

  /** A new secret, shown once; the previous one keeps working for `graceSeconds`. Public clients have none (400). */
  async rotateSecret(me: Principal, idOrClientId: string, graceSeconds: number, ctx: RequestContext): Promise<ClientWithSecretDto> {
    const secret = newClientSecret();
    const client = await runTransaction(this.dataSource, async (em) => {
      const current = await this.findOrFail(em, idOrClientId, true);
      if (current.type !== 'confidential') {
        throw new AppException(ErrorCode.VALIDATION_FAILED, {
          details: [detail('type', 'conflict', { reason: 'a public client has no secret' })],
        });
      }
      assertRolesInReach(me.access, current.roles);
      await em.getRepository(OAuthClient).update({ id: current.id }, { secrets: rotatedSecrets(current.secrets, secret, graceSeconds) });
      await this.audit.record(
        {
          action: 'client.secret.rotate',
          actorId: me.actorId,
          targetType: 'client',
          targetId: current.id,
          detail: { client_id: current.clientId, grace_seconds: graceSeconds },
        },
        ctx,
        em,
      );
      return current;
    });
    await this.changed(client.clientId);
    return { ...toClientDto(client), client_secret: secret };
  }

  /**
   * The active client the authorization server knows as `clientId`, or null. Every token,
   * introspection and revocation request looks its client up twice (metadata, then the
   * secret): cached, and invalidated by create, update, delete and secret rotation on every
   * instance, so a disabled client is refused at its next request.
   */
  findActive(clientId: string): Promise<ActiveClient | null> {
    return this.active.getOrLoad(
      clientId,
      async () =>
        (await this.clients.findOne({
          where: { clientId, status: 'active' },
          select: {
            clientId: true,
            name: true,
            type: true,
            grantTypes: true,
            redirectUris: true,
            postLogoutRedirectUris: true,
            scopes: true,
            firstParty: true,
            secrets: true,
          },
        })) ?? null,
      CLIENT_CACHE_TTL_SECONDS,
    );
  }

  /** Whether `presented` is a secret of `clientId` in force (constant time). */
  async verifySecret(clientId: string, presented: unknown): Promise<boolean> {
    return secretMatches((await this.findActive(clientId))?.secrets ?? null, presented);
  }

  /** After any change to a client (or its creation: an unknown client_id may be cached as null). */
  private async changed(clientId: string): Promise<void> {
    await this.access.invalidate('client', clientId);
    await this.active.invalidate(clientId);
  }

  /** By the row id (a UUID) or by client_id, with roles (and the secrets, when `withSecrets`). */
  private async findOrFail(em: EntityManager, idOrClientId: string, withSecrets = false): Promise<OAuthClient> {
    const qb = em
      .getRepository(OAuthClient)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.roles', 'r')
      .where('c.id = :key OR c.clientId = :key', { key: idOrClientId });
    if (withSecrets) qb.addSelect('c.secrets');
    const client = await qb.getOne();
    if (!client) throw new AppException(ErrorCode.NOT_FOUND);
    client.roles = await this.roles.findByIdsOrFail(
      em,
      client.roles.map((r) => r.id),
    );
    return client;
  }
}
