import { createParamDecorator, Injectable, type ExecutionContext } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { refreshSubject, TokenService, type RefreshPrincipal, type TokenClaims } from '../token.service.js';

export const REFRESH_STRATEGY = 'jwt-refresh';

/** The refresh token comes as `Authorization: Bearer` or as the body's `refresh_token`. */
export const extractRefreshToken = ExtractJwt.fromExtractors([
  ExtractJwt.fromAuthHeaderAsBearerToken(),
  ExtractJwt.fromBodyField('refresh_token'),
]);

/** Verifies the refresh token with the refresh key; rotation and reuse are the service's. */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, REFRESH_STRATEGY) {
  constructor(tokens: TokenService) {
    super({
      jwtFromRequest: extractRefreshToken,
      secretOrKey: tokens.keys.refresh as unknown as string,
      ...tokens.verifyOptions(),
    });
  }

  validate(claims: TokenClaims): RefreshPrincipal {
    return refreshSubject(claims);
  }
}

/** `@RefreshClaims() claims: RefreshPrincipal`: what the refresh guard verified. */
export const RefreshClaims = createParamDecorator((_: unknown, context: ExecutionContext): RefreshPrincipal => {
  return context.switchToHttp().getRequest<{ user: RefreshPrincipal }>().user;
});
