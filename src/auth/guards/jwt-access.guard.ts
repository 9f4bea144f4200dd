import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ExtractJwt } from 'passport-jwt';
import { AccessService } from '../../authz/access.service.js';
import { IS_PUBLIC } from '../../authz/public.decorator.js';
import { AppException } from '../../common/errors/app.exception.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { SessionService } from '../../sessions/session.service.js';
import type { Principal } from '../../authz/principal.js';
import { MemoryCache } from '../../common/cache/memory-cache.js';
import { ACCESS_STRATEGY, TOKENS_ON_REQUEST, type VerifiedAccessToken } from '../strategies/jwt-access.strategy.js';
import { TokenRevocations } from '../token-revocations.js';
import { TokenService } from '../token.service.js';
import { tokenFailure } from './token-errors.js';

const bearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Verified access tokens remembered at once, at most (~4 MB). */
const VERIFIED_TOKENS = 10_000;

/**
 * Global and first: every route needs a valid access token unless it is `@Public()`.
 * After passport has verified the token, the session must still be live and the user
 * active — answered from cache, so a warm request makes no database query.
 *
 * A client sends the same access token many times over its life, so a token that passport
 * has verified is remembered, keyed by its exact bytes (signature included), until it
 * expires: the next request with it skips the HMAC and claim checks, never the revocation
 * and status checks. An altered token is a different key and goes through passport.
 */
@Injectable()
export class JwtAccessGuard extends AuthGuard(ACCESS_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly revocations: TokenRevocations,
  ) {
    super();
  }

  private readonly verified = new MemoryCache<VerifiedAccessToken>(VERIFIED_TOKENS);

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<{ user: unknown; headers: Record<string, string | undefined> }>();
    const token = bearer(request);
    let subject = token ? this.verified.get(token) : undefined;
    if (!subject) {
      (request as unknown as Record<symbol, unknown>)[TOKENS_ON_REQUEST] = this.tokens;
      await super.canActivate(context); // passport verifies, or handleRequest throws the contract's error
      subject = request.user as VerifiedAccessToken;
      const ttl = subject.exp - Date.now() / 1000;
      if (token && ttl > 0) this.verified.set(token, subject, ttl);
    }
    request.user = await this.principalOf(subject);
    return true;
  }

  /**
   * The revocation and status checks, on every request, from cache: a user token's session
   * (or OAuth grant) must be live and the user's, and the user active; a client's token must
   * not be revoked and the client active.
   */
  private async principalOf(subject: VerifiedAccessToken): Promise<Principal> {
    if (subject.kind === 'client') {
      const [revoked, access] = await Promise.all([this.revocations.isRevoked(subject.jti), this.access.get('client', subject.clientId)]);
      if (revoked || !access || !access.active) throw new AppException(ErrorCode.TOKEN_REVOKED);
      return { kind: 'client', clientId: subject.clientId, actorId: access.actorId ?? subject.clientId, access };
    }
    const [owner, access] = await Promise.all([this.sessions.liveOwner(subject.sessionId), this.access.get('user', subject.userId)]);
    // A session of another user than the token's `sub` can only come from a forged token.
    if (owner !== null && owner !== subject.userId) throw new AppException(ErrorCode.INVALID_TOKEN);
    if (!owner || !access || !access.active) throw new AppException(ErrorCode.TOKEN_REVOKED);
    return {
      kind: 'user',
      actorId: subject.userId,
      userId: subject.userId,
      sessionId: subject.sessionId,
      jti: subject.jti,
      ...(subject.kind === 'oauth' ? { clientId: subject.clientId } : {}),
      access,
    };
  }
  override handleRequest<T>(err: unknown, user: T, info: unknown, context: ExecutionContext): T {
    if (err || !user) {
      const request = context.switchToHttp().getRequest();
      throw tokenFailure(this.tokens, 'access', bearer(request), err, info);
    }
    return user;
  }
}
