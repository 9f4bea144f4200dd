import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { KeyValueStore } from '../common/cache/kv-store.js';
import type { SessionService } from '../sessions/session.service.js';
import { LONG_LIVED_MODELS } from './oauth.constants.js';
import type { ModelPayload, OAuthStore } from './oauth-store.js';

/** What the adapter needs: our tables, the shared state, and the client lookup. */
export interface AdapterDeps {
  store: OAuthStore;
  kv: KeyValueStore;
  sessions: SessionService;
  /** oidc-provider metadata of an active client, or undefined (unknown or disabled). */
  clientMetadata(clientId: string): Promise<AdapterPayload | undefined>;
  /** How long a browser session lives (the provider's ttl.Session), seconds. */
  sessionTtl: number;
}

/** Short-lived models without an expiry of their own live this long in the shared state. */
const DEFAULT_TTL = 600;

/**
 * oidc-provider's storage (its documented `adapter` extension point), one instance per model:
 *
 * - `Client`: our `clients` table (ClientsService), read-only: clients are registered at
 *   /api/v1/clients, never by the protocol;
 * - `Grant`, `RefreshToken`, `Session`: the database (`oauth_models`), because they outlive
 *   a restart and revocation looks them up by grant and by account;
 * - everything else (interactions, authorization codes, …): the shared state (Redis, or
 *   memory), so an interaction started on one instance finishes on another.
 *
 * Our `sessions` table stays the one authority on whether a sign-in is live: every grant has
 * a session row with the grant's id (kind `oauth`), every signed-in browser session one of its
 * own (kind `sso`). A model whose row is revoked reads as absent, so the revocations of
 * docs/api.md §9 (logout everywhere, password change, disable, delete, client disable) end
 * grants, refresh tokens, codes and SSO at once; and the provider destroying a grant or a
 * session (refresh-token reuse, POST /oauth2/revoke, RP-initiated logout) revokes the row,
 * which /api/v1 and introspection check on every request.
 */
export class ProviderAdapter implements Adapter {
  constructor(
    private readonly name: string,
    private readonly deps: AdapterDeps,
  ) {}

  private get long(): boolean {
    return LONG_LIVED_MODELS.has(this.name);
  }

  private kvKey(id: string): string {
    return `${this.name}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (this.name === 'Client') return;
    const p = payload as ModelPayload;
    if (!this.long) {
      await this.deps.kv.put(this.kvKey(id), JSON.stringify(p), expiresIn || DEFAULT_TTL);
      return;
    }
    if (this.name === 'Grant' && typeof p.accountId === 'string' && typeof p.clientId === 'string') {
      await this.deps.sessions.ensureGrant(id, p.accountId, p.clientId, null);
    }
    if (this.name === 'Session') {
      await this.deps.store.upsert(this.name, id, p, expiresIn, await this.browserSession(id, p, expiresIn));
      return;
    }
    await this.deps.store.upsert(this.name, id, p, expiresIn);
  }

  /**
   * The `sso` session row of a browser session: made when someone signs in (the payload gets
   * an accountId), kept while the same account is signed in, none while nobody is.
   */
  private async browserSession(id: string, p: ModelPayload, expiresIn: number): Promise<string | null> {
    if (typeof p.accountId !== 'string') return null;
    const existing = await this.deps.store.find(this.name, id);
    const before = existing ? (JSON.parse(existing.payload) as ModelPayload) : null;
    if (existing?.sessionId && before?.accountId === p.accountId) return existing.sessionId;
    const expiresAt = new Date(Date.now() + (expiresIn || this.deps.sessionTtl) * 1000);
    const row = await this.deps.sessions.create(p.accountId, { ip: null, userAgent: null, locale: 'en', requestId: '' }, undefined, {
      kind: 'sso',
      expiresAt,
    });
    return row.id;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.name === 'Client') return this.deps.clientMetadata(id);
    if (!this.long) {
      const raw = await this.deps.kv.get(this.kvKey(id));
      if (!raw) return undefined;
      const payload = JSON.parse(raw) as ModelPayload;
      // A code of a revoked grant can no longer be exchanged.
      if (this.name === 'AuthorizationCode' && !(await this.grantLive(payload.grantId, payload.accountId))) return undefined;
      return payload;
    }
    const row = await this.deps.store.find(this.name, id);
    return row ? this.live(row.payload, row.sessionId) : undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await this.deps.store.findByUid(this.name, uid);
    return row ? this.live(row.payload, row.sessionId) : undefined;
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    return undefined; // the device flow is not enabled
  }

  /** The payload if the sign-in behind it is still live, else undefined (as if it were gone). */
  private async live(json: string, sessionId: string | null): Promise<AdapterPayload | undefined> {
    const payload = JSON.parse(json) as ModelPayload;
    switch (this.name) {
      case 'Grant':
        return (await this.grantLive(payload.jti as string, payload.accountId)) ? payload : undefined;
      case 'RefreshToken':
        return (await this.grantLive(payload.grantId, payload.accountId)) ? payload : undefined;
      case 'Session':
        if (typeof payload.accountId !== 'string') return payload;
        return sessionId && (await this.deps.sessions.liveOwner(sessionId)) === payload.accountId ? payload : undefined;
      default:
        return payload;
    }
  }

  private async grantLive(grantId: unknown, accountId: unknown): Promise<boolean> {
    if (typeof grantId !== 'string') return accountId === undefined; // client_credentials: no grant
    return (await this.deps.sessions.liveOwner(grantId)) === accountId;
  }

  async consume(id: string): Promise<void> {
    if (this.long) {
      await this.deps.store.consume(this.name, id);
      return;
    }
    const raw = await this.deps.kv.get(this.kvKey(id));
    if (!raw) return;
    const payload = JSON.parse(raw) as ModelPayload;
    payload.consumed = Math.floor(Date.now() / 1000);
    const left = typeof payload.exp === 'number' ? payload.exp - payload.consumed : DEFAULT_TTL;
    await this.deps.kv.put(this.kvKey(id), JSON.stringify(payload), Math.max(1, left));
  }

  async destroy(id: string): Promise<void> {
    if (!this.long) {
      await this.deps.kv.delete(this.kvKey(id));
      return;
    }
    if (this.name === 'Grant') await this.deps.sessions.revoke(id, 'oauth_revoked');
    if (this.name === 'Session') {
      const row = await this.deps.store.find(this.name, id);
      if (row?.sessionId) await this.deps.sessions.revoke(row.sessionId, 'oauth_logout');
    }
    await this.deps.store.destroy(this.name, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Short-lived models of a grant (codes) are refused through the grant's session row.
    if (this.long) await this.deps.store.revokeByGrantId(this.name, grantId);
  }
}
