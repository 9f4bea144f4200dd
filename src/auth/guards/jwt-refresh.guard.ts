import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { TOKENS_ON_REQUEST } from '../strategies/jwt-access.strategy.js';
import { REFRESH_STRATEGY, extractRefreshToken } from '../strategies/jwt-refresh.strategy.js';
import { TokenDelivery } from '../token-delivery.js';
import { TokenService } from '../token.service.js';
import { tokenFailure } from './token-errors.js';

/**
 * Guards POST /auth/refresh (a `@Public()` route: it takes a refresh token, not an access token).
 * A request without a token of its own may use the refresh cookie, after its Origin and CSRF checks.
 */
@Injectable()
export class JwtRefreshGuard extends AuthGuard(REFRESH_STRATEGY) {
  constructor(
    private readonly tokens: TokenService,
    private readonly delivery: TokenDelivery,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const request = context.switchToHttp().getRequest<FastifyRequest & Record<symbol, unknown>>();
    request[TOKENS_ON_REQUEST] = this.tokens;
    // Without a token of its own, the refresh cookie, once Origin and CSRF pass (token-delivery.ts).
    this.delivery.refreshTokenFromCookie(request);
    return super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown, context: ExecutionContext): T {
    if (err || !user) {
      const request = context.switchToHttp().getRequest();
      throw tokenFailure(this.tokens, 'refresh', extractRefreshToken(request), err, info);
    }
    return user;
  }
}
