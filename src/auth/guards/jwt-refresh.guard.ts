import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { TOKENS_ON_REQUEST } from '../strategies/jwt-access.strategy.js';
import { REFRESH_STRATEGY, extractRefreshToken } from '../strategies/jwt-refresh.strategy.js';
import { TokenService } from '../token.service.js';
import { tokenFailure } from './token-errors.js';

/** Guards POST /auth/refresh (a `@Public()` route: it takes a refresh token, not an access token). */
@Injectable()
export class JwtRefreshGuard extends AuthGuard(REFRESH_STRATEGY) {
  constructor(private readonly tokens: TokenService) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const request = context.switchToHttp().getRequest<Record<symbol, unknown>>();
    request[TOKENS_ON_REQUEST] = this.tokens;
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
