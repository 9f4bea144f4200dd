import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ExtractJwt } from 'passport-jwt';
import { AccessService } from '../../access/access.service.js';
import { IS_PUBLIC } from '../../common/decorators/public.decorator.js';
import { AppException } from '../../common/errors/app.exception.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { SessionService } from '../../sessions/session.service.js';
import type { Principal } from '../principal.js';
import { ACCESS_STRATEGY } from '../strategies/jwt-access.strategy.js';
import { TokenService } from '../token.service.js';
import { tokenFailure } from './token-errors.js';

const bearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Global and first: every route needs a valid access token unless it is `@Public()`.
 * After passport has verified the token, the session must still be live and the user
 * active — answered from cache, so a warm request makes no database query.
 */
@Injectable()
export class JwtAccessGuard extends AuthGuard(ACCESS_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest<{ user: Principal }>();
    const { userId, sessionId } = request.user;
    const [live, access] = await Promise.all([this.sessions.isLive(sessionId), this.access.get(userId)]);
    if (!live || !access || !access.active) throw new AppException(ErrorCode.TOKEN_REVOKED);
    request.user.access = access;
    return true;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown, context: ExecutionContext): T {
    if (err || !user) {
      const request = context.switchToHttp().getRequest();
      throw tokenFailure(this.tokens, 'access', bearer(request), err, info);
    }
    return user;
  }
}
