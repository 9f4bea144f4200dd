import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { REFRESH_STRATEGY, extractRefreshToken } from '../strategies/jwt-refresh.strategy.js';
import { TokenService } from '../token.service.js';
import { tokenFailure } from './token-errors.js';

/** Guards POST /auth/refresh (a `@Public()` route: it takes a refresh token, not an access token). */
@Injectable()
export class JwtRefreshGuard extends AuthGuard(REFRESH_STRATEGY) {
  constructor(private readonly tokens: TokenService) {
    super();
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown, context: ExecutionContext): T {
    if (err || !user) {
      const request = context.switchToHttp().getRequest();
      throw tokenFailure(this.tokens, 'refresh', extractRefreshToken(request), err, info);
    }
    return user;
  }
}
