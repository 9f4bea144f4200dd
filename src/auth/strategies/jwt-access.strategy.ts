import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { TokenService, tokenSubject, type TokenClaims, type TokenSubject } from '../token.service.js';

export const ACCESS_STRATEGY = 'jwt-access';

/** What a verified access token says: who, which session, and until when (epoch seconds). */
export interface VerifiedAccessToken extends TokenSubject {
  exp: number;
}

/** Verifies the access token (signature, algorithm, iss, aud, exp, nbf) with the access key. */
@Injectable()
export class JwtAccessStrategy extends PassportStrategy(Strategy, ACCESS_STRATEGY) {
  constructor(tokens: TokenService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands this to jsonwebtoken, which takes a KeyObject (its typings say string).
      secretOrKey: tokens.keys.access as unknown as string,
      ...tokens.verifyOptions(),
    });
  }

  /** Pure: checks the claims and returns them; revocation is the guard's next step. */
  validate(claims: TokenClaims): VerifiedAccessToken {
    return { ...tokenSubject(claims, 'access'), exp: claims.exp };
  }
}
