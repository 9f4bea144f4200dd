import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { signCompact } from '../common/crypto/compact-jws.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { KeyStore } from '../keys/key-store.js';

export type TokenType = 'access' | 'refresh';
/** Refresh tokens are HS256 with JWT_REFRESH_SECRET: only this service reads them. */
export const REFRESH_TOKEN_ALG = 'HS256' as const;

/** The claims of docs/api.md §6. */
export interface TokenClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  jti: string;
  typ: TokenType;
  iat: number;
  nbf: number;
  exp: number;
  /** Refresh tokens: the session's absolute end (epoch seconds), so rotation caps without a read. */
  sxp?: number;
}

/** Who a verified token speaks for. */
export interface TokenSubject {
  userId: string;
  sessionId: string;
  jti: string;
}

/**
 * The checks every verified token of kind `expected` must pass beyond its signature:
 * shared by the passport strategies and `TokenService.verify`.
 */
export function tokenSubject(claims: TokenClaims, expected: TokenType): TokenSubject {
  if (typeof claims !== 'object' || claims === null) throw new AppException(ErrorCode.INVALID_TOKEN);
  if (claims.typ !== expected) throw new AppException(ErrorCode.INVALID_TOKEN_TYPE);
  // jsonwebtoken checks `exp` only when it is there: a token without one would never expire.
  const strings = [claims.sub, claims.sid, claims.jti].every((c) => typeof c === 'string' && c.length > 0 && c.length <= 255);
  if (!strings || typeof claims.exp !== 'number') throw new AppException(ErrorCode.INVALID_TOKEN);
  return { userId: claims.sub, sessionId: claims.sid, jti: claims.jti };
}

/** Claims of a verified refresh token, as the refresh guard leaves them. */
export interface RefreshPrincipal extends TokenSubject {
  /** The session's absolute end, when the token carries it. */
  endsAt?: Date;
}

export function refreshSubject(claims: TokenClaims): RefreshPrincipal {
  const subject = tokenSubject(claims, 'refresh');
  return typeof claims.sxp === 'number' ? { ...subject, endsAt: new Date(claims.sxp * 1000) } : subject;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_in: number;
}

/** The keys TokenService signs and verifies access tokens with (the KeyStore of keys/). */
export interface AccessTokenKeys {
  signingKey(alg: 'ES256'): { kid: string; privateKey: KeyObject };
  verificationKey(kid: string): { alg: string; publicKey: KeyObject } | undefined;
}

/** The algorithm session access tokens are signed with (docs/api.md §6, §8). */
export const ACCESS_TOKEN_ALG = 'ES256' as const;
/** What an access token may be signed with: asymmetric only, so an HMAC "signed" with a public key never passes. */
export const ACCESS_TOKEN_ALGS: jwt.Algorithm[] = ['ES256', 'RS256'];

/**
 * Signs and verifies the two kinds of token (docs/api.md §6). Access tokens: ES256 with the
 * active signing key of §8, its `kid` in the header, verified with the published key of that
 * kid, so any other service verifies them offline from the JWKS. Refresh tokens: HS256 with
 * JWT_REFRESH_SECRET (only this service reads them). Signed by `signCompact` (one node:crypto
 * call each), verified by jsonwebtoken. Keys are KeyObjects: given a string,
 * jsonwebtoken tries `createPublicKey()` on every verify (40× slower). Verification pins the
 * algorithm, issuer, audience and `typ`, so `alg: none`, an algorithm swap, or one kind of
 * token used as the other are all refused.
 */
@Injectable()
export class TokenService {
  private readonly refreshKey: KeyObject;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KeyStore) private readonly keys: AccessTokenKeys,
  ) {
    this.refreshKey = createSecretKey(Buffer.from(config.jwt.refreshSecret!, 'utf8'));
  }

  /** What verification pins beyond the key (issuer and audience are the same for session and OAuth access tokens). */
  verifyOptions(kind: TokenType): { algorithms: jwt.Algorithm[]; issuer: string; audience: string } {
    return {
      algorithms: kind === 'access' ? ACCESS_TOKEN_ALGS : [REFRESH_TOKEN_ALG],
      issuer: this.config.jwt.issuer,
      audience: this.config.jwt.audience,
    };
  }

  /**
   * The issuer and audience every token must name (the strategies check them here rather
   * than in passport-jwt's options, which are fixed when the process-wide strategy is built).
   */
  assertIssuerAndAudience(claims: { iss?: unknown; aud?: unknown } | null): void {
    if (typeof claims !== 'object' || claims === null) throw new AppException(ErrorCode.INVALID_TOKEN);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== this.config.jwt.issuer || !aud.includes(this.config.jwt.audience)) throw new AppException(ErrorCode.INVALID_TOKEN);
  }

  /** The key that verifies `token` as a token of `kind`: the published key of its `kid`, or the refresh secret. */
  keyFor(token: string, kind: TokenType): KeyObject | undefined {
    if (kind === 'refresh') return this.refreshKey;
    let kid: unknown;
    try {
      kid = jwt.decode(token, { complete: true })?.header.kid;
    } catch {
      return undefined; // not a JWT at all
    }
    return typeof kid === 'string' ? this.keys.verificationKey(kid)?.publicKey : undefined;
  }

  /** An access token and the session's current refresh token (`refreshJti`, valid until `expiresAt`). */
  issuePair(userId: string, session: { id: string; expiresAt: Date; endsAt: Date }, refreshJti: string): TokenPair {
    const now = Math.floor(Date.now() / 1000);
    const refreshTtl = Math.max(1, Math.floor(session.expiresAt.getTime() / 1000) - now);
    const sxp = Math.floor(session.endsAt.getTime() / 1000);
    const signing = this.keys.signingKey(ACCESS_TOKEN_ALG);
    const access = this.claims('access', userId, session.id, randomUUID(), now, this.config.jwt.accessTtl);
    const refresh = this.claims('refresh', userId, session.id, refreshJti, now, refreshTtl, { sxp });
    return {
      access_token: signCompact(ACCESS_TOKEN_ALG, signing.privateKey, access, signing.kid),
      refresh_token: signCompact(REFRESH_TOKEN_ALG, this.refreshKey, refresh),
      token_type: 'Bearer',
      expires_in: this.config.jwt.accessTtl,
      refresh_expires_in: refreshTtl,
    };
  }

  private claims(
    typ: TokenType,
    sub: string,
    sid: string,
    jti: string,
    now: number,
    ttl: number,
    extra: Partial<TokenClaims> = {},
  ): TokenClaims {
    return { ...extra, iss: this.config.jwt.issuer, aud: this.config.jwt.audience, sub, sid, jti, typ, iat: now, nbf: now, exp: now + ttl };
  }

  /**
   * Verifies a session token of the expected kind; throws the contract's error otherwise.
   * A token that fails as the expected kind but verifies as the other one is the wrong kind
   * (INVALID_TOKEN_TYPE); anything else unverifiable is INVALID_TOKEN.
   */
  verify(token: string, expected: TokenType): TokenClaims {
    try {
      const key = this.keyFor(token, expected);
      if (!key) throw new jwt.JsonWebTokenError('unknown key');
      const claims = jwt.verify(token, key, this.verifyOptions(expected)) as TokenClaims;
      tokenSubject(claims, expected);
      return claims;
    } catch (err) {
      throw this.classify(err, token, expected);
    }
  }

  /** Maps a verification failure of `token` (expected kind `expected`) to the contract's key. */
  classify(err: unknown, token: string, expected: TokenType): AppException {
    if (err instanceof AppException) return err;
    if (err instanceof jwt.TokenExpiredError) return new AppException(ErrorCode.TOKEN_EXPIRED);
    const other: TokenType = expected === 'access' ? 'refresh' : 'access';
    const key = this.keyFor(token, other);
    if (key) {
      try {
        jwt.verify(token, key, { ...this.verifyOptions(other), ignoreExpiration: true });
        return new AppException(ErrorCode.INVALID_TOKEN_TYPE);
      } catch {
        /* not the other kind either */
      }
    }
    return new AppException(ErrorCode.INVALID_TOKEN);
  }
}
