import { createHmac, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import { applyDecorators, Inject, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiParam, type ApiParamOptions, type HeaderObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import { ExtractJwt } from 'passport-jwt';
import { AppException, detail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { TokenService } from './token.service.js';

/**
 * Cookie mode for browser frontends (docs/api.md §12), in one place. A controller method
 * that answers with a token pair ends with
 *
 *   return this.delivery.deliver(request, reply, pair);
 *
 * (`@Req() request: FastifyRequest`, `@Res({ passthrough: true }) reply: FastifyReply`) and
 * carries `@DeliversTokens()`. Without `X-Token-Delivery: cookie` the pair goes back as it
 * is; with it, the refresh token moves into the HttpOnly cookie `authcentre_rt` and the body
 * says `refresh_token: null`.
 *
 * Requests that use the cookie (POST /auth/refresh and /auth/logout without a token of
 * their own) must pass two checks, or get 403 CSRF_FAILED:
 * - `Origin` is the service's own (PUBLIC_URL) or one of CORS_ORIGINS;
 * - `X-CSRF-Token` equals the readable `authcentre_csrf` cookie (double submit), whose value
 *   is an HMAC of the session id: stable for the session through every rotation (so tabs
 *   never race on it) and unforgeable without the server's key (so a cookie planted from a
 *   sibling subdomain cannot pass).
 * A cross-site page can make the browser send the cookie, but it can neither read the CSRF
 * value nor send a custom header without a CORS preflight that only CORS_ORIGINS pass.
 */

export const REFRESH_COOKIE = 'authcentre_rt';
export const CSRF_COOKIE = 'authcentre_csrf';
/** The refresh cookie goes only to the auth routes (refresh, logout), never to the rest of the API. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
export const DELIVERY_HEADER = 'X-Token-Delivery';
export const CSRF_HEADER = 'X-CSRF-Token';

/** What `deliver` needs of a token pair (TokenPair, the login answer, the second-factor answer). */
export interface DeliverablePair {
  refresh_token: string;
  refresh_expires_in: number;
}

/**
 * An answer as delivered: a token pair unchanged, or with the refresh token in the cookie and the
 * CSRF value beside it; anything else (a second-factor challenge, which holds no tokens) as it is.
 */
export type Delivered<T> = T extends DeliverablePair ? Omit<T, 'refresh_token'> & { refresh_token: string | null; csrf_token?: string } : T;

const isPair = (answer: object): answer is DeliverablePair =>
  typeof (answer as Partial<DeliverablePair>).refresh_token === 'string' &&
  typeof (answer as Partial<DeliverablePair>).refresh_expires_in === 'number';

type CookieRequest = FastifyRequest & { body?: unknown };

const bearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Requests whose refresh cookie passed the checks; the refresh strategy reads the cookie only for these. */
const approved = new WeakSet<object>();

/** For the refresh strategy's extractor: the refresh cookie, once `refreshTokenFromCookie` approved the request. */
export function approvedRefreshCookie(request: CookieRequest): string | null {
  return approved.has(request) ? (request.cookies?.[REFRESH_COOKIE] ?? null) : null;
}

/** `X-Token-Delivery`: absent or empty (null), `body` or `cookie`; anything else is 400 VALIDATION_FAILED. */
export function requestedDelivery(request: Pick<FastifyRequest, 'headers'>): 'body' | 'cookie' | null {
  const raw = request.headers['x-token-delivery'];
  const value = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (value === undefined || value === '') return null;
  if (value === 'body' || value === 'cookie') return value;
  throw new AppException(ErrorCode.VALIDATION_FAILED, {
    details: [detail(DELIVERY_HEADER, 'invalid_value', { values: 'cookie, body' })],
  });
}

/** Hosts whose plain-http cookies may go without `Secure`: only this machine can be listening there. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

function safeEqual(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

@Injectable()
export class TokenDelivery {
  /** `Secure` on both cookies unless PUBLIC_URL is plain http on a loopback host. */
  private readonly secure: boolean;
  /** The origins a cookie request may come from: the service's own and CORS_ORIGINS. */
  private readonly origins: Set<string>;
  private readonly csrfKey: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tokens: TokenService,
  ) {
    const own = new URL(config.http.publicUrl);
    this.secure = !(own.protocol === 'http:' && isLoopbackHost(own.hostname));
    this.origins = new Set([own.origin, ...config.http.corsOrigins.filter((origin) => origin !== '*')]);
    this.csrfKey = createHmac('sha256', config.jwt.refreshSecret!).update('authcentre:csrf-cookie').digest();
  }

  /**
   * Given the request, the reply and a token pair: the pair as it is, or — in cookie mode —
   * the pair with its refresh token moved into the cookies. Cookie mode is asked for with
   * `X-Token-Delivery: cookie`; a refresh that used the cookie is always answered in it, so a
   * token taken from an HttpOnly cookie never comes back readable by scripts. An answer without
   * a refresh token (a second-factor challenge) goes back as it is.
   */
  deliver<T extends object>(request: FastifyRequest, reply: FastifyReply, answer: T): Delivered<T> {
    const asked = requestedDelivery(request);
    if ((asked !== 'cookie' && !approved.has(request)) || !isPair(answer)) return answer as Delivered<T>;
    const maxAge = Math.max(1, Math.floor(answer.refresh_expires_in));
    const csrf = this.csrfOf(answer.refresh_token);
    reply.setCookie(REFRESH_COOKIE, answer.refresh_token, { ...this.attributes(true), maxAge });
    reply.setCookie(CSRF_COOKIE, csrf, { ...this.attributes(false), maxAge });
    return { ...answer, refresh_token: null, csrf_token: csrf } as Delivered<T>;
  }

  /**
   * POST /auth/refresh: the refresh token of the cookie, when the request brings no token of
   * its own (`Authorization: Bearer` or the body's `refresh_token`), after the Origin and CSRF
   * checks (403 CSRF_FAILED). Null when there is no cookie or the request has its own token.
   */
  refreshTokenFromCookie(request: CookieRequest): string | null {
    const body = request.body as { refresh_token?: unknown } | null | undefined;
    if (bearer(request) || (body && typeof body === 'object' && body.refresh_token !== undefined)) return null;
    const token = request.cookies?.[REFRESH_COOKIE];
    if (!token) return null;
    this.assertCookieRequest(request, token);
    approved.add(request);
    return token;
  }

  /**
   * POST /auth/logout (which needs the access token as always): when the request carries the
   * refresh cookie, the Origin and CSRF checks first (403 CSRF_FAILED); then the session the
   * cookie belongs to, if it is a valid refresh token, so the logout can end it too.
   */
  logoutCookieSession(request: CookieRequest): { userId: string; sessionId: string } | null {
    const token = request.cookies?.[REFRESH_COOKIE];
    if (!token) return null;
    this.assertCookieRequest(request, token);
    try {
      const claims = this.tokens.verify(token, 'refresh');
      return { userId: claims.sub, sessionId: claims.sid };
    } catch {
      return null; // expired or junk: nothing to revoke, the cookies are cleared all the same
    }
  }

  /**
   * After a logout: both cookies cleared, when the request is in cookie mode (a cookie of ours,
   * or the header). Never throws: the logout has happened by now.
   */
  clear(request: FastifyRequest, reply: FastifyReply): void {
    const cookies = request.cookies ?? {};
    const header = request.headers['x-token-delivery'];
    const asked = typeof header === 'string' && header.trim().toLowerCase() === 'cookie';
    if (!asked && !cookies[REFRESH_COOKIE] && !cookies[CSRF_COOKIE]) return;
    reply.clearCookie(REFRESH_COOKIE, this.attributes(true));
    reply.clearCookie(CSRF_COOKIE, this.attributes(false));
  }

  /** 403 CSRF_FAILED unless Origin is allowed and X-CSRF-Token equals the CSRF cookie, which belongs to the token's session. */
  private assertCookieRequest(request: CookieRequest, refreshToken: string): void {
    const origin = request.headers.origin;
    const header = request.headers['x-csrf-token'];
    const cookie = request.cookies?.[CSRF_COOKIE];
    const ok =
      typeof origin === 'string' &&
      this.origins.has(origin) &&
      typeof header === 'string' &&
      !!cookie &&
      safeEqual(header, cookie) &&
      // A token that does not even decode is left to the token check (INVALID_TOKEN).
      (this.sessionOf(refreshToken) === null || safeEqual(header, this.csrfOf(refreshToken)));
    if (!ok) throw new AppException(ErrorCode.CSRF_FAILED);
  }

  /** The CSRF value of the session a refresh token belongs to. */
  private csrfOf(refreshToken: string): string {
    return createHmac('sha256', this.csrfKey)
      .update(this.sessionOf(refreshToken) ?? '')
      .digest('base64url');
  }

  /** The `sid` claim, unverified: only to pick the CSRF value (the token itself is verified on its own). */
  private sessionOf(token: string): string | null {
    const claims = jwt.decode(token);
    return claims && typeof claims === 'object' && typeof claims.sid === 'string' ? claims.sid : null;
  }

  private attributes(refresh: boolean) {
    return {
      httpOnly: refresh,
      secure: this.secure,
      sameSite: 'strict' as const,
      // The CSRF cookie must be readable by the frontend's pages, wherever they are.
      path: refresh ? REFRESH_COOKIE_PATH : '/',
    };
  }
}

/** The success answer's Set-Cookie in cookie mode, for `@ApiEnvelope(model, 200, 'OK', TOKEN_COOKIES)`. */
export const TOKEN_COOKIES: Record<string, HeaderObject> = {
  'Set-Cookie': {
    description:
      'Cookie mode only: the refresh token as `authcentre_rt` (HttpOnly, `Path=/api/v1/auth`) and the CSRF value as the readable ' +
      '`authcentre_csrf` (`Path=/`), both `SameSite=Strict`, `Secure` unless PUBLIC_URL is plain http on a loopback host, ' +
      '`Max-Age` = `refresh_expires_in`',
    schema: { type: 'string', example: 'authcentre_rt=eyJhbGciOi…; Max-Age=604800; Path=/api/v1/auth; HttpOnly; Secure; SameSite=Strict' },
  },
};

/** Logout's Set-Cookie in cookie mode. */
export const CLEARED_COOKIES: Record<string, HeaderObject> = {
  'Set-Cookie': {
    description: 'Cookie mode only: `authcentre_rt` and `authcentre_csrf` cleared (`Max-Age=0`)',
    schema: {
      type: 'string',
      example: 'authcentre_rt=; Max-Age=0; Path=/api/v1/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict',
    },
  },
};

/** The refresh cookie as an OpenAPI `in: cookie` parameter (ApiParam takes `in` at run time; its type knows only paths). */
export function ApiRefreshCookie() {
  return ApiParam({
    name: REFRESH_COOKIE,
    in: 'cookie',
    required: false,
    description:
      'Cookie mode: the HttpOnly refresh cookie the browser sends by itself, used when the request brings no refresh token of its own; ' +
      'needs `X-CSRF-Token` and an allowed `Origin`.',
    schema: { type: 'string' },
  } as ApiParamOptions);
}

/** `X-CSRF-Token`, documented on the routes that may use the refresh cookie. */
export function ApiCsrfHeader(when: string) {
  return ApiHeader({
    name: CSRF_HEADER,
    required: false,
    description: `${when}: the value of the \`authcentre_csrf\` cookie (or the login's \`csrf_token\`); the request's \`Origin\` must be the service's own or one of CORS_ORIGINS. Otherwise 403 CSRF_FAILED.`,
  });
}

/** Rejects a bad X-Token-Delivery before the route does anything (400 VALIDATION_FAILED). */
@Injectable()
export class TokenDeliveryHeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    requestedDelivery(context.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }
}

/** On a route whose answer goes through `TokenDelivery.deliver`: checks and documents X-Token-Delivery. */
export function DeliversTokens() {
  return applyDecorators(
    UseGuards(TokenDeliveryHeaderGuard),
    ApiHeader({
      name: DELIVERY_HEADER,
      required: false,
      enum: ['cookie', 'body'],
      description:
        '`cookie` (browser frontends): the refresh token comes as the cookie `authcentre_rt` (HttpOnly, SameSite=Strict, ' +
        'Path=/api/v1/auth, Secure unless PUBLIC_URL is plain http on a loopback host, Max-Age = `refresh_expires_in`) ' +
        'beside a readable cookie `authcentre_csrf`; the body then has `refresh_token: null` and `csrf_token`, the value ' +
        'to send as `X-CSRF-Token` with every request that uses the cookie. Absent or `body`: the refresh token is in the body.',
    }),
  );
}
