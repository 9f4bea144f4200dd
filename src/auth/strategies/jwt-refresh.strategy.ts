import { createParamDecorator, Injectable, type ExecutionContext } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { approvedRefreshCookie } from '../token-delivery.js';
import { refreshSubject, TokenService, type RefreshPrincipal, type TokenClaims } from '../token.service.js';
import { tokensFor } from './jwt-access.strategy.js';

export const REFRESH_STRATEGY = 'jwt-refresh';

/**
 * The refresh token comes as `Authorization: Bearer`, as the body's `refresh_token`, or — in
 * cookie mode, once the refresh guard has checked Origin and CSRF — as the cookie (token-delivery.ts).
 */
export const extractRefreshToken = ExtractJwt.fromExtractors([
  ExtractJwt.fromAuthHeaderAsBearerToken(),
  ExtractJwt.fromBodyField('refresh_token'),
  approvedRefreshCookie,
]);

/** Verifies the refresh token with the refresh key; rotation and reuse are the service's. */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, REFRESH_STRATEGY) {
  constructor(private readonly tokens: TokenService) {
    super({
      jwtFromRequest: extractRefreshToken,
      secretOrKeyProvider: (request: unknown, rawJwtToken: string, done: (err: unknown, key?: string) => void) =>
        done(null, tokensFor(request, tokens).keyFor(rawJwtToken, 'refresh') as unknown as string),
      algorithms: tokens.verifyOptions('refresh').algorithms,
      passReqToCallback: true,
    });
  }

  validate(request: unknown, claims: TokenClaims): RefreshPrincipal {
    tokensFor(request, this.tokens).assertIssuerAndAudience(claims);
    return refreshSubject(claims);
  }
}

/** `@RefreshClaims() claims: RefreshPrincipal`: what the refresh guard verified. */
export const RefreshClaims = createParamDecorator((_: unknown, context: ExecutionContext): RefreshPrincipal => {
  return context.switchToHttp().getRequest<{ user: RefreshPrincipal }>().user;
});
