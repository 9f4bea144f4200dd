import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { pickLocale, type Locale } from '../i18n/messages.js';

/** Who is asking, from where: what the audit log and sessions record. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  locale: Locale;
  requestId: string;
}

export function requestContext(request: FastifyRequest, defaultLocale: Locale = 'en'): RequestContext {
  const ua = request.headers['user-agent'];
  return {
    // Fastify's request.ip honours TRUST_PROXY: X-Forwarded-For is believed only from trusted proxies.
    ip: request.ip ?? null,
    userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    locale: pickLocale(request.headers['accept-language'], defaultLocale),
    requestId: String(request.id),
  };
}

/** `@Ctx() ctx: RequestContext` in a controller method. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { defaultLocale?: Locale }>();
  return requestContext(request, request.defaultLocale);
});
