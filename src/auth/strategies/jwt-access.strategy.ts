import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppException } from '../../common/errors/app.exception.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { TokenService, tokenSubject, type TokenClaims } from '../token.service.js';

export const ACCESS_STRATEGY = 'jwt-access';

/**
 * The request property through which the guards hand their app's TokenService to the
 * strategies. Passport keeps strategies in one process-wide registry, so a strategy built by
 * one app would otherwise verify with that app's keys only; with the keys travelling on the
 * request, every app in a process (the tests start several) verifies with its own.
 */
export const TOKENS_ON_REQUEST = Symbol('authcentre.tokens');

/** The TokenService that verifies `request`'s token: the one its guard put there, else the strategy's own. */
export function tokensFor(request: unknown, fallback: TokenService): TokenService {
  return (request as Record<symbol, TokenService | undefined>)[TOKENS_ON_REQUEST] ?? fallback;
}

/**
 * What a verified access token says (until `exp`, epoch seconds). Every access token the
 * service issues verifies here (docs/api.md §9, "one token, every door"):
 * - `session`: POST /auth/login's token, `typ: access`, its session in `sid`;
 * - `oauth`: an OAuth access token (RFC 9068) issued to `clientId` for a user; its grant
 *   in `gid`, which is the id of the grant's session row;
 * - `client`: a `client_credentials` token: the client acting as its service account.
 */
export type VerifiedAccessToken =
  | { kind: 'session'; userId: string; sessionId: string; jti: string; exp: number }
  | { kind: 'oauth'; userId: string; sessionId: string; clientId: string; jti: string; exp: number }
  | { kind: 'client'; clientId: string; jti: string; exp: number };

interface OAuthClaims {
  sub?: string;
  client_id?: string;
  gid?: string;
  jti?: string;
  exp?: number;
  typ?: string;
}

/** Pure: what the claims of a verified access token say; throws the contract's error when they do not fit. */
export function accessTokenSubject(claims: TokenClaims & OAuthClaims): VerifiedAccessToken {
  if (typeof claims !== 'object' || claims === null) throw new AppException(ErrorCode.INVALID_TOKEN);
  if (typeof claims.client_id === 'string' && claims.typ === undefined) {
    const ids = [claims.sub, claims.jti, claims.client_id, claims.gid ?? 'none'].every(
      (c) => typeof c === 'string' && c.length > 0 && c.length <= 255,
    );
    if (!ids || typeof claims.exp !== 'number') throw new AppException(ErrorCode.INVALID_TOKEN);
    if (claims.gid)
      return { kind: 'oauth', userId: claims.sub, sessionId: claims.gid, clientId: claims.client_id, jti: claims.jti, exp: claims.exp };
    if (claims.sub === claims.client_id) return { kind: 'client', clientId: claims.client_id, jti: claims.jti, exp: claims.exp };
    throw new AppException(ErrorCode.INVALID_TOKEN);
  }
  return { kind: 'session', ...tokenSubject(claims, 'access'), exp: claims.exp };
}

/**
 * Verifies an access token: the signature with the published key its `kid` names
 * (ES256/RS256 only), and `iss`, `aud`, `exp`, `nbf`. Revocation is the guard's next step.
 */
@Injectable()
export class JwtAccessStrategy extends PassportStrategy(Strategy, ACCESS_STRATEGY) {
  constructor(private readonly tokens: TokenService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject (its typings say string).
      secretOrKeyProvider: (request: unknown, rawJwtToken: string, done: (err: unknown, key?: string) => void) => {
        const key = tokensFor(request, tokens).keyFor(rawJwtToken, 'access');
        if (key) done(null, key as unknown as string);
        else done(new Error('no published key for this kid'));
      },
      algorithms: tokens.verifyOptions('access').algorithms,
      passReqToCallback: true,
    });
  }

  /** Pure: checks the claims (issuer and audience of the request's app) and returns them; revocation is the guard's next step. */
  validate(request: unknown, claims: TokenClaims & OAuthClaims): VerifiedAccessToken {
    tokensFor(request, this.tokens).assertIssuerAndAudience(claims);
    return accessTokenSubject(claims);
  }
}
