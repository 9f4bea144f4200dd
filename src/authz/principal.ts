import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { Access } from './access.service.js';

/** Who a request acts for: a user (signed in, or through an OAuth app), or a client's service account. */
export type PrincipalKind = 'user' | 'client';

interface PrincipalBase {
  kind: PrincipalKind;
  /** What the route and permission checks need, resolved per request from the cache. */
  access: Access;
  /** The id the audit log names as the actor: the user's id, or the client's id. */
  actorId: string;
}

export interface UserPrincipal extends PrincipalBase {
  kind: 'user';
  userId: string;
  /** The session (or OAuth grant) the token belongs to: the tokens' `sid`. */
  sessionId: string;
  jti: string;
  /** Set when the token was issued to an OAuth client for the user. */
  clientId?: string;
}

/** A `client_credentials` token: the client acts as its own service account. */
export interface ClientPrincipal extends PrincipalBase {
  kind: 'client';
  clientId: string;
}

export type Principal = UserPrincipal | ClientPrincipal;

const principalOf = (context: ExecutionContext) => context.switchToHttp().getRequest<{ user?: Principal }>().user;

/** `@CurrentPrincipal() me: Principal`: whoever the access token speaks for. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context);
  if (!principal) throw new AppException(ErrorCode.UNAUTHENTICATED);
  return principal;
});

/**
 * `@CurrentUser() me: UserPrincipal`: routes about the signed-in user (`/users/me…`,
 * logout). A service account has no such user: 403 FORBIDDEN (docs/api.md §9).
 */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): UserPrincipal => {
  const principal = principalOf(context);
  if (!principal) throw new AppException(ErrorCode.UNAUTHENTICATED);
  if (principal.kind !== 'user') throw new AppException(ErrorCode.FORBIDDEN);
  return principal;
});
