import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppException } from '../../common/errors/app.exception.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { TokenService, type TokenClaims } from '../token.service.js';

export const ACCESS_STRATEGY = 'jwt-access';

/** What a verified access token says: who, which session, and until when (epoch seconds). */
export interface VerifiedAccessToken {
  userId: string;
  sessionId: string;
  jti: string;
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
    if (claims.typ !== 'access') throw new AppException(ErrorCode.INVALID_TOKEN_TYPE);
    if (!claims.sub || !claims.sid || !claims.jti) throw new AppException(ErrorCode.INVALID_TOKEN);
    return { userId: claims.sub, sessionId: claims.sid, jti: claims.jti, exp: claims.exp };
  }
}
