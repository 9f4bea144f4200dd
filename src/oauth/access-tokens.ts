import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { accessTokenSubject, type VerifiedAccessToken } from '../auth/strategies/jwt-access.strategy.js';
import { TokenRevocations } from '../auth/token-revocations.js';
import { TokenService, type TokenClaims } from '../auth/token.service.js';
import { AccessService } from '../authz/access.service.js';
import { SessionService } from '../sessions/session.service.js';
import { UserAccess } from '../users/user-access.js';
import { OAuthStore } from './oauth-store.js';

/** A verified, live access token: what it says, and its raw claims. */
export interface LiveToken {
  subject: VerifiedAccessToken;
  claims: TokenClaims & { client_id?: string; scope?: string; gid?: string };
}

/**
 * The JWT access tokens the provider cannot look into itself (it never stores them; RFC
 * 9068): verified with the published keys, then checked against the same revocation state
 * /api/v1 uses on every request: the grant's (or session's) row and the user, or the
 * client and the jti denylist. Used by introspection, revocation and userinfo.
 */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly revocations: TokenRevocations,
    private readonly userAccess: UserAccess,
    private readonly store: OAuthStore,
  ) {}

  static looksLikeJwt(token: unknown): token is string {
    return typeof token === 'string' && /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token) && token.length < 8192;
  }

  /** Signature, issuer, audience and (unless `ignoreExpiration`) expiry; null when any fails. */
  verify(token: string, opts: { ignoreExpiration?: boolean } = {}): LiveToken | null {
    const key = this.tokens.keyFor(token, 'access');
    if (!key) return null;
    try {
      const claims = jwt.verify(token, key, {
        ...this.tokens.verifyOptions('access'),
        ignoreExpiration: opts.ignoreExpiration,
      }) as LiveToken['claims'];
      return { subject: accessTokenSubject(claims), claims };
    } catch {
      return null;
    }
  }

  /** Whether a verified token is still in force: its grant or session live and its principal active. */
  async isLive(token: LiveToken): Promise<boolean> {
    const s = token.subject;
    if (s.kind === 'client') {
      const [revoked, access] = await Promise.all([this.revocations.isRevoked(s.jti), this.access.get('client', s.clientId)]);
      return !revoked && !!access?.active;
    }
    const [owner, access] = await Promise.all([this.sessions.liveOwner(s.sessionId), this.access.get('user', s.userId)]);
    return owner === s.userId && !!access?.active;
  }

  /** RFC 7662's answer for a JWT access token (docs/api.md §9), `{ active: false }` when it is not in force. */
  async introspect(token: string): Promise<Record<string, unknown>> {
    const live = this.verify(token);
    if (!live || !(await this.isLive(live))) return { active: false };
    const { claims, subject } = live;
    const base = {
      active: true,
      sub: claims.sub,
      client_id: claims.client_id,
      scope: claims.scope,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      iss: claims.iss,
      aud: claims.aud,
    };
    if (subject.kind === 'client') return { ...base, username: subject.clientId };
    return { ...base, ...(await this.userExtras(subject.userId, claims.scope)) };
  }

  /** `username`, and with the `roles` scope `roles` and `permissions` (as in Me). */
  async userExtras(userId: string, scope: string | undefined): Promise<Record<string, unknown>> {
    const me = await this.userAccess.meOf(userId);
    if (!me) return {};
    const roles = (scope ?? '').split(' ').includes('roles');
    return { username: me.username, ...(roles ? { roles: me.roles.map((r) => r.code), permissions: me.permissions } : {}) };
  }

  /**
   * RFC 7009 for a JWT access token: a user's token ends its whole grant (its refresh tokens
   * too, at once); a client_credentials token goes on the denylist until it expires. Another
   * client's token: false (the caller answers as the spec says). Unknown or invalid: nothing.
   */
  async revoke(token: string, byClientId: string): Promise<'revoked' | 'not_found' | 'foreign'> {
    const live = this.verify(token, { ignoreExpiration: true });
    if (!live) return 'not_found';
    if (live.claims.client_id !== byClientId) return 'foreign';
    const s = live.subject;
    if (s.kind === 'client') await this.revocations.revoke(s.jti, s.exp);
    else if (s.kind === 'oauth') {
      await this.sessions.revoke(s.sessionId, 'oauth_revoked');
      await this.store.removeGrants([s.sessionId]);
    }
    return 'revoked';
  }
}
