import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Access } from '../access/access.service.js';
import type { TokenSubject } from './token.service.js';

/** The authenticated caller, as the access guard leaves it on the request. */
export interface Principal extends TokenSubject {
  access: Access;
}

/** Claims of a verified refresh token, as the refresh guard leaves them. */
export type RefreshPrincipal = TokenSubject;

/** `@CurrentUser() me: Principal` in a controller method behind the access guard. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<{ user: unknown }>().user;
});
