import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../common/http/request-context.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { KeyStore } from '../keys/key-store.js';
import { claimsForScopes } from './account-claims.js';
import { AccessTokens } from './access-tokens.js';
import { OAUTH_MOUNT, SEED004_QUERY_PARAMS } from './oauth.constants.js';
import { OidcProvider } from './oidc-provider.service.js';
import { attachRequestContext } from './request-context.js';
import { readBody } from './read-body.js';
import { InteractionPages } from './interaction/interaction-pages.js';
import { UserAccess } from '../users/user-access.js';

/** oidc-provider reads form bodies itself, up to this size (its own limit). */
const FORM_LIMIT = 56 * 1024;

/** What `/logout` passes on from a POST form to the provider's GET (RP-initiated logout). */
const LOGOUT_PARAMS = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'ui_locales', 'client_id', 'logout_hint'];

/**
 * The HTTP side of the authorization server at /oauth2 (docs/api.md §9): an encapsulated
 * Fastify plugin, so its routes speak OAuth (not the /api/v1 envelope) and leave request
 * bodies to oidc-provider, which parses forms itself, while the rest of the app keeps
 * accepting JSON only. Most requests go straight to the provider; a few routes are ours:
 *
 * - `GET /oauth2/jwks`: the public key set from the KeyStore (every key that signs or may
 *   still have signed a live token), cacheable for 5 minutes;
 * - `POST /oauth2/token`: seed 004's clients put `grant_type`, `username`, `scope`,
 *   `randomStr` and `code` in the query string; they are merged into the form when it lacks
 *   them;
 * - `GET|POST /oauth2/userinfo` for JWT access tokens (the provider refuses tokens with an
 *   audience);
 * - `/oauth2/interaction/:uid`: the hosted sign-in pages (InteractionPages);
 * - `POST /oauth2/logout` turns into the provider's GET form (its POST support needs
 *   SameSite=None session cookies).
 */
@Injectable()
export class OAuthHttp {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oidc: OidcProvider,
    private readonly keys: KeyStore,
    private readonly accessTokens: AccessTokens,
    private readonly userAccess: UserAccess,
    private readonly interactions: InteractionPages,
  ) {}

  /** Registers the /oauth2 routes on the app's Fastify instance (before it listens). */
  mount(fastify: FastifyInstance): void {
    void fastify.register(
      async (app) => {
        // Bodies are left unread: the provider reads the stream (a plugin's parsers stay inside it).
        app.removeAllContentTypeParsers();
        app.addContentTypeParser('*', (_request, _payload, done) => done(null));

        app.get('/jwks', async (_request, reply) => reply.header('Cache-Control', 'public, max-age=300').send(this.keys.jwks()));
        app.post('/token', (request, reply) => this.token(request, reply));
        app.route({ method: ['GET', 'POST'], url: '/userinfo', handler: (request, reply) => this.userinfo(request, reply) });
        app.post('/logout', async (request, reply) => {
          const form = new URLSearchParams((await readBody(request, FORM_LIMIT)).toString('utf8'));
          const query = new URLSearchParams();
          for (const name of LOGOUT_PARAMS) if (form.has(name)) query.set(name, form.get(name)!);
          const qs = query.toString();
          return reply.redirect(`${OAUTH_MOUNT}/logout${qs ? `?${qs}` : ''}`, 303);
        });
        // The hosted sign-in pages (docs/api.md §10).
        this.interactions.register(app);
        app.all('/*', (request, reply) => this.toProvider(request, reply));
        app.all('/', (request, reply) => this.toProvider(request, reply));
      },
      { prefix: OAUTH_MOUNT },
    );
  }

  /** Seed 004: parameters from the query string when the form lacks `grant_type`. Never the password. */
  private async token(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const query = request.query as Record<string, unknown>;
    if (typeof query.grant_type !== 'string') return this.toProvider(request, reply);
    const form = new URLSearchParams((await readBody(request, FORM_LIMIT)).toString('utf8'));
    if (!form.has('grant_type')) {
      for (const name of SEED004_QUERY_PARAMS) {
        const value = query[name];
        if (!form.has(name) && typeof value === 'string') form.set(name, value);
      }
    }
    return this.toProvider(request, reply, Buffer.from(form.toString()));
  }

  /** OIDC userinfo for our JWT access tokens (anything else goes to the provider). */
  private async userinfo(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !AccessTokens.looksLikeJwt(token)) return this.toProvider(request, reply);
    const challenge = (error: string, description: string, status = 401) =>
      reply
        .code(status)
        .header('WWW-Authenticate', `Bearer realm="${this.oidc.issuer}", error="${error}", error_description="${description}"`)
        .send({ error, error_description: description });
    const live = this.accessTokens.verify(token);
    if (!live || !(await this.accessTokens.isLive(live))) return challenge('invalid_token', 'invalid token provided');
    const scopes = new Set((live.claims.scope ?? '').split(' '));
    if (live.subject.kind !== 'oauth' || !scopes.has('openid'))
      return challenge('insufficient_scope', 'access token missing openid scope', 403);
    const me = await this.userAccess.meOf(live.subject.userId);
    if (!me) return challenge('invalid_token', 'invalid token provided');
    return reply.send(claimsForScopes(me, scopes));
  }

  /**
   * Hands the request to the provider: the headers our hooks set (security headers,
   * X-Request-Id, no-store) onto the raw response, the request context for the grants, the
   * path without /oauth2 (the full one in originalUrl, from which the provider derives its
   * mount path), and the body when we had to read it.
   */
  toProvider(request: FastifyRequest, reply: FastifyReply, body?: Buffer): Promise<void> {
    const raw = request.raw as FastifyRequest['raw'] & { originalUrl?: string; body?: Buffer };
    const res = reply.raw;
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value as string);
    attachRequestContext(raw, requestContext(request, this.config.i18n.defaultLocale));
    if (body !== undefined) {
      raw.body = body;
      raw.headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    raw.originalUrl = raw.url;
    raw.url = raw.url!.slice(OAUTH_MOUNT.length) || '/';
    reply.hijack();
    return this.oidc.handle(raw, res);
  }
}
