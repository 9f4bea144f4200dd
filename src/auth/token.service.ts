import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';

export type TokenType = 'access' | 'refresh';
export const JWT_ALGORITHM = 'HS256' as const;

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
  if (claims.typ !== expected) throw new AppException(ErrorCode.INVALID_TOKEN_TYPE);
  // jsonwebtoken checks `exp` only when it is there: a token without one would never expire.
  if (!claims.sub || !claims.sid || !claims.jti || typeof claims.exp !== 'number') throw new AppException(ErrorCode.INVALID_TOKEN);
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

/**
 * Signs and verifies the two kinds of token with separate keys. Keys are KeyObjects:
 * given a string, jsonwebtoken tries `createPublicKey()` on every verify (40× slower).
 * Verification pins the algorithm, issuer, audience and `typ`, so `alg: none`, an
 * algorithm swap, or one kind of token used as the other are all refused.
 */
@Injectable()
export class TokenService {
  readonly keys: Record<TokenType, KeyObject>;

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.keys = {
      access: createSecretKey(Buffer.from(config.jwt.accessSecret!, 'utf8')),
      refresh: createSecretKey(Buffer.from(config.jwt.refreshSecret!, 'utf8')),
    };
  }

  /** What verification pins, for every kind of token (the key is what tells the kinds apart). */
  verifyOptions(): { algorithms: ['HS256']; issuer: string; audience: string } {
    return { algorithms: [JWT_ALGORITHM], issuer: this.config.jwt.issuer, audience: this.config.jwt.audience };
  }

  /** An access token and the session's current refresh token (`refreshJti`, valid until `expiresAt`). */
  issuePair(userId: string, session: { id: string; expiresAt: Date; endsAt: Date }, refreshJti: string): TokenPair {
    const now = Math.floor(Date.now() / 1000);
    const refreshTtl = Math.max(1, Math.floor(session.expiresAt.getTime() / 1000) - now);
    const sxp = Math.floor(session.endsAt.getTime() / 1000);
    return {
      access_token: this.sign('access', userId, session.id, randomUUID(), now, this.config.jwt.accessTtl),
      refresh_token: this.sign('refresh', userId, session.id, refreshJti, now, refreshTtl, { sxp }),
      token_type: 'Bearer',
      expires_in: this.config.jwt.accessTtl,
      refresh_expires_in: refreshTtl,
    };
  }

  private sign(typ: TokenType, sub: string, sid: string, jti: string, now: number, ttl: number, extra: Partial<TokenClaims> = {}): string {
    const claims: TokenClaims = {
      ...extra,
      iss: this.config.jwt.issuer,
      aud: this.config.jwt.audience,
      sub,
      sid,
      jti,
      typ,
      iat: now,
      nbf: now,
      exp: now + ttl,
    };
    return this.jwt.sign(claims, { privateKey: this.keys[typ], algorithm: JWT_ALGORITHM });
  }

  /**
   * Verifies a token of the expected kind; throws the contract's error otherwise.
   * A token that fails with the expected key but verifies with the other one is
   * the wrong kind (INVALID_TOKEN_TYPE); anything else unverifiable is INVALID_TOKEN.
   */
  verify(token: string, expected: TokenType): TokenClaims {
    try {
      const claims = jwt.verify(token, this.keys[expected], this.verifyOptions()) as TokenClaims;
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
    try {
      jwt.verify(token, this.keys[other], { ...this.verifyOptions(), ignoreExpiration: true });
      return new AppException(ErrorCode.INVALID_TOKEN_TYPE);
    } catch {
      /* not the other kind either */
    }
    return new AppException(ErrorCode.INVALID_TOKEN);
  }
}
