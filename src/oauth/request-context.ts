import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { RequestContext } from '../common/http/request-context.js';

/** Where OAuthHttp leaves the request context (client address, user agent, locale, id) for the provider's handlers. */
export const REQUEST_CONTEXT = Symbol('authcentre.requestContext');

export function attachRequestContext(raw: IncomingMessage, ctx: RequestContext): void {
  (raw as unknown as Record<symbol, RequestContext>)[REQUEST_CONTEXT] = ctx;
}

/** The context of the request a provider handler serves (Fastify's, with TRUST_PROXY applied). */
export function requestContextOf(ctx: KoaContextWithOIDC): RequestContext {
  const attached = (ctx.req as unknown as Record<symbol, RequestContext | undefined>)[REQUEST_CONTEXT];
  return attached ?? { ip: ctx.ip ?? null, userAgent: ctx.get('user-agent') || null, locale: 'en', requestId: '' };
}
