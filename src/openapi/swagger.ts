import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER } from '../common/swagger/api-envelope.js';
import { completeDocument } from './complete-document.js';
import { operationIdOf, routeFacts } from './route-facts.js';

/** One tag per module, in the order Swagger UI shows them. */
const TAGS: [name: string, description: string][] = [
  [
    'auth',
    'Sign up, sign in, token refresh and rotation (in the body or, for browsers, in a cookie), sign out, password reset, email verification, captcha',
  ],
  ['me', 'The signed-in user: profile, password, sessions, email verification link. Needs only a valid access token.'],
  ['users', 'User administration'],
  ['roles', 'Role administration'],
  ['permissions', 'Permission administration'],
  ['audit', 'The audit log'],
  ['signing-keys', 'The signing keys of access and ID tokens, and their rotation (the public set is GET /oauth2/jwks)'],
  ['clients', 'OAuth clients of the authorization server at /oauth2'],
  ['health', 'Liveness and readiness probes: outside /api/v1, not wrapped in the envelope, no token'],
];

/**
 * Builds the OpenAPI 3 document from the app's routes and decorators, then completes
 * it (complete-document.ts). Needs no listening server and no database: `npm run
 * openapi` calls it on an app created in preview mode. Deterministic for a given
 * source tree: no timestamps, and the one server is relative to wherever /docs is served.
 */
export function buildOpenApiDocument(app: INestApplication, serverUrl?: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('AuthCentre API')
    .setDescription(
      [
        'Authentication and access control: sessions, refresh rotation with theft detection, lockout, audit, ' +
          'role and permission administration, and an OAuth 2.1 / OpenID Connect provider at `/oauth2`.',
        '',
        '**Signing in on this page**',
        '1. Open **POST /api/v1/auth/login**, choose *Try it out*, and send a username and password ' +
          "(on a fresh install, the administrator's: `admin` and the password printed when the service first started).",
        '2. This page keeps the access token of a successful sign-in and sends it with every later *Try it out*: ' +
          'the padlocks close. It lasts 15 minutes by default; on `401 TOKEN_EXPIRED` sign in again.',
        '3. Or paste an access token into **Authorize** (e.g. one from `curl` or your app).',
        '',
        'Every `/api/v1` response is an envelope `{ code, message, data }`; errors carry a stable `error` key and, ' +
          'for invalid fields, `details` with a stable `code` per field. Answers shared by many operations ' +
          '(a bad token, a bad body, 500, 503) are described once, under *Responses* in the schema section.',
      ].join('\n'),
    )
    .setVersion('1.0.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer(serverUrl ?? '/', serverUrl ? undefined : 'The server this document is served from')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /api/v1/auth/login' },
      BEARER,
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { operationIdFactory: operationIdOf });
  return completeDocument(document, routeFacts(app), BEARER);
}

/** Swagger UI at /docs, the JSON document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'AuthCentre API',
    // validatorUrl null: Swagger UI would otherwise send the document's URL to validator.swagger.io
    // for a badge; the document is linted in the test suite instead.
    swaggerOptions: {
      persistAuthorization: true,
      displayRequestDuration: true,
      tryItOutEnabled: false,
      validatorUrl: null,
      responseInterceptor: keepSignInToken,
    },
  });
}

/** Swagger UI's instance, as seen from inside its init script (see keepSignInToken). */
declare const ui: { preauthorizeApiKey(scheme: string, value: string): void };

/**
 * Swagger UI's responseInterceptor: a successful sign-in (login, its second step, refresh)
 * authorizes the page with the access token it returned, as if pasted into Authorize.
 * @nestjs/swagger copies this function's source into swagger-ui-init.js (a script of the
 * page's own origin, which the CSP allows), inside the function that declares `ui`: so it
 * must stand alone, naming nothing of this module.
 */
export function keepSignInToken(res: { ok: boolean; url: string; body?: { data?: { access_token?: unknown } } }) {
  const token = res.body && res.body.data ? res.body.data.access_token : undefined;
  if (res.ok && typeof token === 'string' && /\/api\/v1\/auth\/(login|login\/mfa|refresh)$/.test(res.url.split('?')[0])) {
    ui.preauthorizeApiKey('bearer', token); // BEARER, spelled out (see above)
  }
  return res;
}
