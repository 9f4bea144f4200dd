import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { JWK } from 'jose';
import { Repository } from 'typeorm';
import { Sealer } from '../common/crypto/sealer.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { loadKey, type LoadedKey } from './key-material.js';
import { SigningKey, type SigningAlg } from './signing-key.entity.js';

/** ID tokens live this long (the OpenID Provider's `ttl.IdToken`); a retired key stays published at least as long. */
export const ID_TOKEN_TTL = 3600;

/** How often every instance looks for key changes made on another: well inside §8's 5 s. */
export const KEY_POLL_MS = 2000;

/**
 * The signing keys as this process holds them (docs/api.md §8): the active key of each
 * algorithm (to sign), every published key by kid (to verify), and the JWKS document.
 * Loaded at start and whenever the table changes: a change made on this instance reloads at
 * once, one made on another is seen within KEY_POLL_MS (a tiny query of kids and statuses).
 * Signing and verifying never touch the database.
 */
@Injectable()
export class KeyStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Keys');
  private readonly sealer: Sealer;
  private keys: { key: LoadedKey; row: SigningKey }[] = [];
  private active = new Map<SigningAlg, LoadedKey>();
  private byKid = new Map<string, { key: LoadedKey; row: SigningKey }>();
  private fingerprint = '';
  private timer?: NodeJS.Timeout;
  private readonly listeners: Array<() => void> = [];

  constructor(
    @InjectRepository(SigningKey) private readonly rows: Repository<SigningKey>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sealer = new Sealer(config.encryptionKey!);
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.poll(), KEY_POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** How long a retired key stays published: every token it signed has expired by then. */
  get retentionSeconds(): number {
    return Math.max(this.config.jwt.accessTtl, ID_TOKEN_TTL);
  }

  /** Calls `listener` after every change of the key set (the OpenID Provider rebuilds its keystore). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The key that signs `alg` now. */
  signingKey(alg: SigningAlg): LoadedKey {
    const key = this.active.get(alg);
    if (!key) throw new Error(`no active ${alg} signing key`);
    return key;
  }

  /** A published key by kid (next, active, or retired within its retention), for verification. */
  verificationKey(kid: string): LoadedKey | undefined {
    const entry = this.byKid.get(kid);
    return entry && this.isPublished(entry.row, Date.now()) ? entry.key : undefined;
  }

  /** The public key set (GET /oauth2/jwks): every key that signs or may still have signed a live token. */
  jwks(): { keys: JWK[] } {
    const now = Date.now();
    return { keys: this.keys.filter((k) => this.isPublished(k.row, now)).map((k) => k.key.publicJwk) };
  }

  /**
   * The private keys oidc-provider signs with: active keys first (it signs ID tokens with
   * the first key of an algorithm), then the other published ones (it verifies
   * `id_token_hint`s with them).
   */
  providerJwks(): JWK[] {
    const now = Date.now();
    const published = this.keys.filter((k) => this.isPublished(k.row, now));
    const rank = (k: { row: SigningKey }) => (k.row.status === 'active' ? 0 : k.row.status === 'next' ? 1 : 2);
    return [...published].sort((a, b) => rank(a) - rank(b)).map((k) => k.key.privateJwk);
  }

  private isPublished(row: SigningKey, now: number): boolean {
    if (row.status !== 'retired') return true;
    return !!row.retiredAt && row.retiredAt.getTime() + this.retentionSeconds * 1000 > now;
  }

  /** Reads the whole key set again (after a change here, or one seen by the poll). */
  async reload(): Promise<void> {
    const rows = await this.rows.find({ order: { createdAt: 'ASC' } });
    this.keys = rows.map((row) => ({ key: loadKey(row, this.sealer), row }));
    this.byKid = new Map(this.keys.map((k) => [k.key.kid, k]));
    this.active = new Map(this.keys.filter((k) => k.row.status === 'active').map((k) => [k.key.alg, k.key]));
    this.fingerprint = fingerprintOf(rows);
    for (const listener of this.listeners) listener();
  }

  private async poll(): Promise<void> {
    try {
      const rows = await this.rows.find({ select: { kid: true, status: true, retiredAt: true } });
      if (fingerprintOf(rows) !== this.fingerprint) await this.reload();
    } catch (err) {
      // The database is away: keep signing with what we hold, and look again at the next tick.
      this.logger.warn(`key poll failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function fingerprintOf(rows: Pick<SigningKey, 'kid' | 'status' | 'retiredAt'>[]): string {
  return rows
    .map((r) => `${r.kid}:${r.status}:${r.retiredAt ? new Date(r.retiredAt).getTime() : ''}`)
    .sort()
    .join('|');
}
