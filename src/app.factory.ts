import { randomUUID } from 'node:crypto';
import { RequestMethod, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fastifyCookie from '@fastify/cookie';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from './config/app.config.js';
import { AppModule } from './app.module.js';
import { createRootLogger, NestPinoLogger, requestLog } from './common/logging/logger.js';
import { securityHeaders } from './common/http/security-headers.js';
import { clientErrorHandler, frameworkErrorHandler, guardServer, missingHost } from './common/http/framework-errors.js';
import { installJsonBodyParser } from './common/http/json-body.js';
import { tokenShapeHook } from './common/http/token-shape.js';
import { AppException } from './common/errors/app.exception.js';
import { ErrorCode } from './common/errors/error-codes.js';
import { OAuthHttp } from './oauth/oauth-http.js';
import { OAUTH_MOUNT } from './oauth/oauth.constants.js';
import { AuthMetrics } from './metrics/auth-metrics.js';
import { instrumentHttp } from './metrics/http-metrics.js';
import { PagesService } from './pages/pages.service.js';
import { AccountPages } from './account-pages/account-pages.js';

export const API_PREFIX = 'api/v1';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the fully configured application (used by main.ts and the tests), not yet listening. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  // helmet's headers, computed once (static: no CSP nonces), on every response.
  const security = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Plain-http deployments (local, behind a TLS-terminating proxy) must still load /docs assets.
        upgradeInsecureRequests: null,
      },
    },
  });
  const logger = createRootLogger(config);
  const rendering = { defaultLocale: config.i18n.defaultLocale, passwordMinLength: config.auth.passwordMinLength };
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimit,
    // Fastify accepts a hop count too (proxy-addr); its typings omit it.
    trustProxy: config.http.trustProxy as boolean | string | string[],
    // A caller's X-Request-Id is kept when it is sane; otherwise we make one.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    loggerInstance: logger,
    logController: requestLog(config),
    // On SIGTERM: stop accepting, let in-flight requests finish, close idle keep-alive sockets.
    // Requests still arriving meanwhile get 503 from the onRequest hook below (Fastify's own
    // return503OnClosing answers before any hook: no envelope, no X-Request-Id).
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // Requests refused before routing or by the HTTP parser: the envelope and X-Request-Id too.
    frameworkErrors: frameworkErrorHandler(rendering, security),
    clientErrorHandler: clientErrorHandler(rendering, security),
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
    // Fastify's own JSON parser only: no urlencoded or other body parsers (docs/api.md §1).
    bodyParser: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  // Read by @Ctx(): the locale of mails and messages when Accept-Language does not choose.
  fastify.decorateRequest('defaultLocale', config.i18n.defaultLocale);
  // Draining on shutdown: Node closes the sockets idle at close() time, but a request
  // still in flight leaves its keep-alive socket idle afterwards. Reap those as they
  // come, so close() ends when the last in-flight response is out.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    const reaper = setInterval(() => fastify.server.closeIdleConnections(), 100);
    reaper.unref();
    fastify.server.once('close', () => clearInterval(reaper));
    done();
  });
  // JSON only (docs/api.md §1): any other body type is answered 415. JSON nested too deep or
  // holding ill-formed strings is refused as it is parsed (json-body.ts).
  fastify.removeContentTypeParser(['text/plain']);
  installJsonBodyParser(fastify);

  guardServer(fastify.server, rendering, security);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(security).header('X-Request-Id', request.id);
    // On the Node response too, so an answer written to it directly (middleware) carries it.
    reply.raw.setHeader('X-Request-Id', request.id);
    // Tokens and profiles must never sit in a cache (docs/api.md §7).
    if (request.url.startsWith('/api/') || request.url.startsWith('/oauth2')) reply.header('Cache-Control', 'no-store');
    if (missingHost(request)) return done(new AppException(ErrorCode.VALIDATION_FAILED));
    if (!closing) return done();
    reply.header('Connection', 'close');
    done(new AppException(ErrorCode.SERVICE_UNAVAILABLE, { headers: { 'Retry-After': '5' } }));
  });
  // A bearer or refresh token whose claims have impossible types is made plainly malformed
  // before Nest's guards see it (jsonwebtoken and the session lookup broke on it).
  fastify.addHook('preValidation', tokenShapeHook());
  // Answers sent by hooks that run before the one above (Nest's CORS preflight) get them here.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('x-request-id')) {
      reply.headers(security).header('X-Request-Id', request.id);
      if (request.url.startsWith('/api/') || request.url.startsWith('/oauth2')) reply.header('Cache-Control', 'no-store');
    }
    done(null, payload);
  });
  // Latency per route template (docs/operations.md), before any route is registered so every one has it.
  if (config.metrics.port !== undefined) instrumentHttp(fastify, app.get(AuthMetrics).httpDuration);
  // request.cookies and reply.setCookie: the refresh cookie of cookie mode (docs/api.md §12, auth/token-delivery.ts).
  await app.register(fastifyCookie);
  if (config.http.corsOrigins.length) {
    // Credentials (the cookies of §12) only for the origins listed by name, never for `*`:
    // with `*` any other origin may read answers, without cookies.
    const listed = new Set(config.http.corsOrigins.filter((origin) => origin !== '*'));
    const anyOrigin = config.http.corsOrigins.includes('*');
    const common = { exposedHeaders: ['X-Request-Id', 'Retry-After', 'Content-Language'], maxAge: 600 };
    app.enableCors({
      delegator: (request, answer) => {
        const origin = request.headers.origin;
        if (origin && listed.has(origin)) answer(null, { ...common, origin, credentials: true });
        else answer(null, { ...common, origin: anyOrigin ? '*' : false });
      },
    });
  }

  // The authorization server at /oauth2: raw Fastify routes (OAuth answers, not the envelope).
  app.get(OAuthHttp).mount(fastify);
  // The hosted pages' one stylesheet (their CSP allows no inline style).
  app.get(PagesService).mount(fastify);
  // /reset-password, /forgot-password, /verify-email: the pages mailed links open.
  app.get(AccountPages).mount(fastify);
  applyApiPrefix(app);
  if (config.http.docsEnabled) {
    // Loaded only where /docs is served: building the OpenAPI document and serving Swagger UI
    // (swagger-ui-dist, @fastify/static) is memory a service without docs does not spend
    // (docs/performance.md).
    const { setupSwagger } = await import('./openapi/swagger.js');
    setupSwagger(app);
  }
  // The service's root points a visitor to where to start: Swagger UI, or (docs off) the OpenID discovery document.
  fastify.get('/', (_request, reply) => {
    void reply.redirect(config.http.docsEnabled ? '/docs' : `${OAUTH_MOUNT}/.well-known/openid-configuration`, 302);
  });
  return app;
}

/** `/api/v1` before every route but the health checks (used by the OpenAPI export too). */
export function applyApiPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
}
