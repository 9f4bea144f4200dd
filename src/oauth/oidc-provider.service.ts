import { hkdfSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import Provider, { errors, type AdapterPayload, type Configuration, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import { SignInService } from '../auth/sign-in.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { KeyValueStore } from '../common/cache/kv-store.js';
import { Telemetry } from '../common/telemetry/telemetry.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { ClientsService, type ActiveClient } from '../clients/clients.service.js';
import { ID_TOKEN_TTL, KeyStore } from '../keys/key-store.js';
import { SessionService } from '../sessions/session.service.js';
import { UserAccess } from '../users/user-access.js';
import { accountClaims } from './account-claims.js';
import { AccessTokens } from './access-tokens.js';
import { mfaOtpGrant, passwordGrant, type GrantDeps } from './grants/password.grant.js';
import {
  API_RESOURCE,
  API_SCOPES,
  MFA_GRANT,
  MFA_GRANT_PARAMS,
  OAUTH_MOUNT,
  PASSWORD_GRANT_PARAMS,
  SCOPE_CLAIMS,
} from './oauth.constants.js';
import { OAuthStore } from './oauth-store.js';
import { ProviderAdapter } from './provider-adapter.js';
import { requestContextOf } from './request-context.js';
import { RememberedConsents } from './interaction/consents.js';
import { grantScopes, newGrant } from './interaction/grant-scopes.js';
import { PagesService } from '../pages/pages.service.js';
import type { Locale } from '../common/i18n/messages.js';

/** Injection token of the shared-state store of the provider's short-lived models. */
export const OIDC_KV = Symbol('OIDC_KV');

/** A signed-in browser session (SSO) lasts this long at most (and never past SESSION_MAX_LIFETIME). */
export const SSO_SESSION_TTL = 8 * 3600;

/** Authorization codes are exchanged within this many seconds or not at all. */
const CODE_TTL = 60;
/** An interaction (the hosted sign-in pages) must be completed within this many seconds. */
const INTERACTION_TTL = 600;

/** No usable secret: client secrets are known only as digests (compareClientSecret is ours). */
const DIGEST_ONLY = 'digest-only-the-secret-is-checked-by-authcentre';

/**
 * The OpenID Provider (oidc-provider, OpenID Certified), built from our configuration and
 * extended only through its documented points: the adapter (our storage), `findAccount`
 * (our users), `registerGrantType` (the password and mfa-otp grants), `extraTokenClaims` (the grant id),
 * `features.*`, and pre/post middleware (JWT introspection and revocation). Built again
 * whenever the signing keys change (its keystore is fixed at construction; a build takes
 * under a millisecond and every state lives in the adapter, so flows in progress go on).
 */
@Injectable()
export class OidcProvider implements OnModuleInit {
  private readonly logger = new Logger('OAuth');
  private current?: { provider: Provider; callback: (req: IncomingMessage, res: ServerResponse) => Promise<void> };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OIDC_KV) private readonly kv: KeyValueStore,
    private readonly keys: KeyStore,
    private readonly store: OAuthStore,
    private readonly sessions: SessionService,
    private readonly clients: ClientsService,
    private readonly userAccess: UserAccess,
    private readonly signIn: SignInService,
    private readonly accessTokens: AccessTokens,
    private readonly audit: AuditService,
    private readonly telemetry: Telemetry,
    private readonly pages: PagesService,
    private readonly consents: RememberedConsents,
  ) {}

  /** `${PUBLIC_URL}/oauth2`. */
  get issuer(): string {
    return `${this.config.http.publicUrl}${OAUTH_MOUNT}`;
  }

  get provider(): Provider {
    return this.current!.provider;
  }

  /** Hands a raw request (its url already without /oauth2, the full one in originalUrl) to the provider. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.current!.callback(req, res);
  }

  onModuleInit(): void {
    this.build();
    this.keys.onChange(() => this.build());
  }

  private build(): void {
    const provider = new Provider(this.issuer, this.configuration());
    // X-Forwarded-Proto/Host are believed exactly when Fastify believes X-Forwarded-For.
    provider.proxy = this.config.http.trustProxy !== false;
    provider.Client.prototype.compareClientSecret = this.compareClientSecret();
    provider.registerGrantType('password', passwordGrant(this.grantDeps()), PASSWORD_GRANT_PARAMS);
    provider.registerGrantType(MFA_GRANT, mfaOtpGrant(this.grantDeps()), MFA_GRANT_PARAMS);
    // An https PUBLIC_URL: browsers reach us over TLS whatever the last hop is, so every cookie is Secure.
    if (new URL(this.config.http.publicUrl).protocol === 'https:') provider.use(behindTls);
    provider.use(this.jwtFront());
    provider.use(this.logoutWithoutSession());
    this.listen(provider);
    this.current = { provider, callback: provider.callback() as never };
  }

  private grantDeps(): GrantDeps {
    return { signIn: this.signIn, resourceServerInfo: () => this.resourceServerInfo(), refreshTtl: this.config.jwt.refreshTtl };
  }

  /** Every access token is a JWT for the API (RFC 9068), signed with the active ES256 key of §8. */
  private resourceServerInfo(): ResourceServer {
    return {
      scope: API_SCOPES.join(' '),
      audience: this.config.jwt.audience,
      accessTokenTTL: this.config.jwt.accessTtl,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'ES256', kid: this.keys.signingKey('ES256').kid } },
    } as ResourceServer;
  }

  /** Our clients table as oidc-provider metadata; undefined for unknown and disabled clients. */
  private async clientMetadata(clientId: string): Promise<AdapterPayload | undefined> {
    const client = await this.clients.findActive(clientId);
    return client ? toClientMetadata(client) : undefined;
  }

  /** Replaces Client.prototype.compareClientSecret (the hook the provider documents for it): we keep digests only. */
  private compareClientSecret() {
    const clients = this.clients;
    return async function compare(this: { clientId: string }, presented: string): Promise<boolean> {
      return clients.verifySecret(this.clientId, presented);
    };
  }

  private configuration(): Configuration {
    const cookieKey = Buffer.from(hkdfSync('sha256', this.config.encryptionKey!, 'authcentre', 'oidc-provider cookies', 32)).toString(
      'base64url',
    );
    const issuer = this.config.jwt.issuer;
    const adapterDeps = {
      store: this.store,
      kv: this.kv,
      sessions: this.sessions,
      clientMetadata: (id: string) => this.clientMetadata(id),
      sessionTtl: SSO_SESSION_TTL,
    };
    return {
      adapter: (name: string) => new ProviderAdapter(name, adapterDeps),
      clients: [],
      jwks: { keys: this.keys.providerJwks() as never },
      findAccount: async (_ctx, sub) => {
        const me = await this.userAccess.meOf(sub);
        if (!me || me.status !== 'active') return undefined;
        return { accountId: sub, claims: async () => accountClaims(me) as never };
      },
      claims: SCOPE_CLAIMS,
      scopes: ['openid', 'offline_access'],
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
      discovery: {
        ui_locales_supported: ['en', 'zh-CN'],
        claim_types_supported: ['normal'],
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      },
      clientDefaults: {
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'RS256',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      extraClientMetadata: { properties: ['first_party'] },
      routes: {
        authorization: '/authorize',
        token: '/token',
        introspection: '/introspect',
        revocation: '/revoke',
        userinfo: '/userinfo',
        end_session: '/logout',
        jwks: '/jwks',
      },
      responseTypes: ['code'],
      // S256 is the only method oidc-provider 9 implements: `plain` is refused.
      pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
      features: {
        devInteractions: { enabled: false },
        dPoP: { enabled: false },
        pushedAuthorizationRequests: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        revocation: { enabled: true },
        userinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: async (ctx, form) => {
            const client = ctx.oidc.client;
            this.page(ctx, 200, 'oauth/logout', (locale) => ({
              title: this.pages.t(locale, 'logout.title'),
              clientName: client ? (client.clientName ?? client.clientId) : undefined,
              // The provider's own form: its action and its xsrf token (the CSRF check of the logout).
              form,
            }));
          },
          postLogoutSuccessSource: async (ctx) => {
            this.page(ctx, 200, 'message', (locale) => ({
              title: this.pages.t(locale, 'logout.done_title'),
              message: this.pages.t(locale, 'logout.done'),
            }));
          },
        },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => API_RESOURCE,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx, indicator) => {
            if (indicator !== API_RESOURCE) throw new errors.InvalidTarget();
            return this.resourceServerInfo();
          },
        },
      },
      // The grant id (= its session row) lets every verifier check that the grant still lives.
      extraTokenClaims: async (_ctx, token) => (token.kind === 'AccessToken' && token.grantId ? { gid: token.grantId } : undefined),
      formats: {
        customizers: {
          // JWT_ISSUER, when set, names the issuer of every access token (docs/api.md §6).
          jwt: async (_ctx, _token, parts) => {
            parts.payload.iss = issuer;
          },
        },
      },
      rotateRefreshToken: true,
      // Revoking a refresh token ends its whole grant (RFC 7009 §2.1), as reuse does.
      revokeGrantPolicy: () => true,
      issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
      interactions: { url: (_ctx, interaction) => `${OAUTH_MOUNT}/interaction/${interaction.uid}` },
      cookies: {
        keys: [cookieKey],
        long: { httpOnly: true, sameSite: 'lax', path: OAUTH_MOUNT, signed: true },
        short: { httpOnly: true, sameSite: 'lax', signed: true },
      },
      ttl: {
        AccessToken: this.config.jwt.accessTtl,
        ClientCredentials: this.config.jwt.accessTtl,
        AuthorizationCode: CODE_TTL,
        IdToken: ID_TOKEN_TTL,
        RefreshToken: this.config.jwt.refreshTtl,
        Interaction: INTERACTION_TTL,
        Session: Math.min(SSO_SESSION_TTL, this.config.jwt.sessionMaxLifetime),
        Grant: this.config.jwt.sessionMaxLifetime,
      },
      clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false,
      // Consent remembered per user and client, implied for first-party clients (docs/api.md §10).
      loadExistingGrant: (ctx) => this.existingGrant(ctx),
      renderError: async (ctx, out) => {
        const error = String(out.error ?? 'server_error');
        const known = this.pages.t('en', `error.oauth.${error}`) !== `error.oauth.${error}`;
        this.page(ctx, ctx.status >= 400 ? ctx.status : 400, 'message', (locale) => ({
          title: this.pages.t(locale, 'error.title'),
          message: this.pages.t(locale, known ? `error.oauth.${error}` : ctx.status >= 500 ? 'error.title' : 'error.oauth.invalid_request'),
          // The provider's own words (never a secret or a stack): what a developer needs to fix the request.
          detail: out.error_description ? `${error}: ${String(out.error_description)}` : error,
          alert: true,
        }));
      },
    };
  }

  /**
   * The grant an authorization request may use without asking: the one of this browser
   * session, else a new one with the scopes the user already allowed this client (or, for
   * a first-party client, every scope it asks for). Asked-for scopes beyond those make the
   * consent prompt ask for just those.
   */
  private async existingGrant(ctx: KoaContextWithOIDC) {
    const { oidc } = ctx;
    const client = oidc.client!;
    const session = oidc.session!;
    const grantId = (oidc.result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
    if (grantId) {
      const found = await oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const accountId = session.accountId;
    if (!accountId) return undefined;
    const requested = [...oidc.requestParamScopes];
    const allowed = client.metadata().first_party ? new Set(requested) : await this.consents.scopes(accountId, client.clientId);
    const scopes = requested.filter((scope) => allowed.has(scope));
    if (!scopes.length) return undefined;
    const grant = newGrant(oidc.provider, accountId, client.clientId);
    grantScopes(grant, scopes);
    await grant.save();
    return grant;
  }

  /** A hosted page answered by the provider itself (errors, logout): the pages' layout, locale and headers. */
  private page(ctx: KoaContextWithOIDC, status: number, view: string, data: (locale: Locale) => Record<string, unknown>): void {
    const rc = requestContextOf(ctx);
    const locale = this.pages.locale(ctx.get('accept-language') || undefined, ctx.oidc?.params?.ui_locales);
    const content = data(locale) as { title: string };
    ctx.status = status;
    ctx.set(this.pages.headers(locale));
    ctx.body = this.pages.render(view, { ...content, requestId: rc.requestId || undefined }, locale);
  }

  /**
   * The provider cannot introspect or revoke the JWT access tokens it issues (it never
   * stores them). After it has authenticated the client and parsed the request, this
   * post-middleware answers for a JWT from our revocation state, and adds the contract's
   * `username`, `roles` and `permissions` to its own answers for refresh tokens.
   */
  private jwtFront() {
    return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
      await next();
      // A path the provider does not serve: an OAuth-shaped 404, not Koa's plain text.
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', error_description: 'no such endpoint' };
        return;
      }
      const route = ctx.oidc?.route;
      if (route !== 'introspection' && route !== 'revocation') return;
      const client = ctx.oidc.client;
      const body = ctx.body as Record<string, unknown> | undefined;
      const token = ctx.oidc.params?.token;
      if (!client) return;
      if (route === 'introspection') {
        // RFC 7662 §2.1: only authenticated clients may introspect.
        if (client.clientAuthMethod === 'none') {
          ctx.status = 401;
          ctx.body = { error: 'invalid_client', error_description: 'introspection requires client authentication' };
          return;
        }
        if (body?.error === 'unsupported_token_type' && AccessTokens.looksLikeJwt(token)) {
          ctx.status = 200;
          ctx.body = await this.accessTokens.introspect(token);
        } else if (body?.active === true && typeof body.sub === 'string' && body.client_id !== body.sub) {
          Object.assign(body, await this.accessTokens.userExtras(body.sub, body.scope as string | undefined));
        }
        return;
      }
      let revoked = ctx.status === 200;
      if (body && (body as { error?: string }).error === 'unsupported_token_type' && AccessTokens.looksLikeJwt(token)) {
        const outcome = await this.accessTokens.revoke(token, client.clientId);
        if (outcome === 'foreign' && client.clientAuthMethod !== 'none') {
          ctx.status = 400;
          ctx.body = { error: 'invalid_request', error_description: 'client is not authorized to revoke the presented token' };
          return;
        }
        ctx.status = 200;
        ctx.body = '';
        revoked = outcome === 'revoked';
      }
      if (revoked) {
        await this.audit.record(
          {
            action: 'oauth.revoke',
            targetType: 'client',
            targetId: client.clientId,
            detail: { client_id: client.clientId, token_type_hint: ctx.oidc.params?.token_type_hint ?? null },
          },
          requestContextOf(ctx),
        );
      }
    };
  }

  /**
   * RP-initiated logout of a browser that has no session any more: the provider answers with
   * a form that an inline script submits (its hash added to the CSP). The hosted pages run no
   * inline script (docs/api.md §10): the same confirmation page as with a session instead,
   * whose button posts the same form.
   */
  private logoutWithoutSession() {
    return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
      await next();
      const { oidc } = ctx;
      if (oidc?.route !== 'end_session' || ctx.status !== 200 || ctx.method !== 'GET' || oidc.session?.accountId) return;
      const secret = (oidc.session?.state as { secret?: string } | undefined)?.secret;
      if (!secret) return;
      const action = escapeHtml(oidc.urlFor('end_session_confirm'));
      const form = `<form id="op.logoutForm" method="post" action="${action}"><input type="hidden" name="xsrf" value="${escapeHtml(secret)}"></form>`;
      const client = oidc.client;
      this.page(ctx, 200, 'oauth/logout', (locale) => ({
        title: this.pages.t(locale, 'logout.title'),
        clientName: client ? (client.clientName ?? client.clientId) : undefined,
        form,
      }));
      // page() sets the pages' own CSP, replacing the one the provider extended with its script's hash.
    };
  }

  /** Audit: every grant at the token endpoint (`oauth.token`, success or failure) and every revocation. */
  private listen(provider: Provider): void {
    provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
      const failed = ctx.status >= 400;
      this.telemetry.oauthGrant(ctx.oidc.params?.grant_type as string | undefined, failed ? 'error' : 'success');
      void this.audit
        .record(
          {
            action: 'oauth.token',
            actorId: (ctx.oidc.entities.Account?.accountId as string | undefined) ?? null,
            targetType: 'client',
            targetId: ctx.oidc.client?.clientId ?? null,
            success: !failed,
            detail: { grant_type: ctx.oidc.params?.grant_type, client_id: ctx.oidc.client?.clientId },
          },
          requestContextOf(ctx),
        )
        .catch(() => undefined);
    });
    provider.on('grant.error', (ctx: KoaContextWithOIDC, err: { error?: string; error_detail?: string }) => {
      this.telemetry.oauthGrant(ctx.oidc.params?.grant_type as string | undefined, err.error ?? 'error');
      void this.audit
        .record(
          {
            action: 'oauth.token',
            targetType: 'client',
            targetId: ctx.oidc.client?.clientId ?? null,
            success: false,
            detail: {
              grant_type: ctx.oidc.params?.grant_type,
              client_id: ctx.oidc.client?.clientId,
              error: err.error,
              reason: err.error_detail,
            },
          },
          requestContextOf(ctx),
        )
        .catch(() => undefined);
    });
    provider.on('server_error', (_ctx: unknown, err: Error) => this.logger.error(`provider error: ${err.name}: ${err.message}`));
  }
}

/** A row of our clients table as oidc-provider client metadata. */
export function toClientMetadata(client: ActiveClient): AdapterPayload {
  // A client of the password grant may complete it with the second factor (docs/api.md §11).
  const grants = client.grantTypes.includes('password') ? [...client.grantTypes, MFA_GRANT] : [...client.grantTypes];
  return {
    client_id: client.clientId,
    client_name: client.name,
    ...(client.type === 'confidential'
      ? { client_secret: DIGEST_ONLY, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
    grant_types: grants,
    response_types: grants.includes('authorization_code') ? ['code'] : [],
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    scope: client.scopes.join(' '),
    id_token_signed_response_alg: 'RS256',
    first_party: client.firstParty,
  } as AdapterPayload;
}

/**
 * Makes the provider see the request as https (Koa's `ctx.secure`), so its cookies (the SSO
 * session, the interaction) carry `Secure` and its URLs are https, even when TLS ends at a
 * proxy that TRUST_PROXY does not name. Used only when PUBLIC_URL is https.
 */
async function behindTls(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  Object.defineProperty(ctx.request, 'protocol', { value: 'https' });
  await next();
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
