import { Inject, Injectable } from '@nestjs/common';
import type { KeyValueStore } from '../common/cache/kv-store.js';

/** Injection token of the revoked-token store: the shared state's `revoked-jti` namespace (AuthModule). */
export const REVOKED_JTIS = Symbol('REVOKED_JTIS');

/**
 * Access tokens revoked one by one (POST /oauth2/revoke of a `client_credentials` token,
 * which has no session or grant to end): their `jti`, kept until the token expires, on every
 * instance. User tokens are revoked through their session or grant instead.
 */
@Injectable()
export class TokenRevocations {
  constructor(@Inject(REVOKED_JTIS) private readonly store: KeyValueStore) {}

  async revoke(jti: string, exp: number): Promise<void> {
    const ttl = Math.ceil(exp - Date.now() / 1000);
    if (ttl > 0) await this.store.put(jti, '1', ttl);
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.store.get(jti)) !== null;
  }
}
