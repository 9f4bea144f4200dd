import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OAuthStore, type ModelPayload } from '../oauth-store.js';

/** How long a consent is remembered without use (each new consent renews it). */
const CONSENT_TTL = 365 * 24 * 3600;

/**
 * Consent remembered per user and client (docs/api.md §10): the scopes a user allowed a
 * client, kept in `oauth_models` as model `Consent`. It outlives the grants it led to (a
 * logout revokes those, not what the user agreed to), so a user who signs in again is not
 * asked again unless the client asks for more.
 */
@Injectable()
export class RememberedConsents {
  constructor(private readonly store: OAuthStore) {}

  /** The scopes `accountId` allowed `clientId`, empty when never asked. */
  async scopes(accountId: string, clientId: string): Promise<Set<string>> {
    const row = await this.store.find('Consent', idOf(accountId, clientId));
    if (!row) return new Set();
    const payload = JSON.parse(row.payload) as ModelPayload;
    return new Set(Array.isArray(payload.scopes) ? (payload.scopes as string[]) : []);
  }

  /** Adds `scopes` to what `accountId` allowed `clientId`. */
  async remember(accountId: string, clientId: string, scopes: Iterable<string>): Promise<void> {
    const all = await this.scopes(accountId, clientId);
    for (const scope of scopes) all.add(scope);
    await this.store.upsert('Consent', idOf(accountId, clientId), { accountId, clientId, scopes: [...all].sort() }, CONSENT_TTL);
  }
}

/** A fixed-length id for the pair (the id column takes 64 characters; a client id alone may take 64). */
function idOf(accountId: string, clientId: string): string {
  return createHash('sha256').update(`${accountId}\n${clientId}`).digest('hex');
}
