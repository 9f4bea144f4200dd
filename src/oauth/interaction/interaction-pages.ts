import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, type Client, type Grant, type Interaction, type InteractionResults } from 'oidc-provider';
import { CaptchaService } from '../../auth/captcha/captcha.service.js';
import { SignInService, type ProvedUser } from '../../auth/sign-in.service.js';
import type { KeyValueStore } from '../../common/cache/kv-store.js';
import { describeError } from '../../common/errors/all-exceptions.filter.js';
import { AppException } from '../../common/errors/app.exception.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { requestContext, type RequestContext } from '../../common/http/request-context.js';
import { localise, type Locale } from '../../common/i18n/messages.js';
import { APP_CONFIG, type AppConfig } from '../../config/app.config.js';
import { PagesService, type PageData } from '../../pages/pages.service.js';
import { OAUTH_MOUNT } from '../oauth.constants.js';
import { readBody } from '../read-body.js';
import { OIDC_KV, OidcProvider } from '../oidc-provider.service.js';
import { RememberedConsents } from './consents.js';
import { grantScopes, newGrant } from './grant-scopes.js';
import { INTERACTION_STRINGS, INTERACTION_VIEWS } from './views.js';

/** oidc-provider reads form bodies itself up to this size; the pages' forms are far smaller. */
const FORM_LIMIT = 16 * 1024;

/** A completed sign-in waits this long (seconds) for the user to have read their new recovery codes. */
const PENDING_LOGIN_TTL = 600;

/** A sign-in waiting for its second factor: the SignInService challenge of an interaction. */
interface PendingFactor {
  mfaToken: string;
  enrol: boolean;
}

/** A sign-in completed by a forced enrolment, waiting for the user to have read the recovery codes. */
interface PendingLogin {
  accountId: string;
  amr: string[];
}

/** What every interaction route starts from. */
interface Opened {
  uid: string;
  details: Interaction;
  client: Client;
  clientName: string;
  locale: Locale;
  ctx: RequestContext;
  form: URLSearchParams;
}

/** One of the routes, called with the opened interaction. */
type Handler = (this: InteractionPages, o: Opened, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

class PageError extends Error {
  constructor(
    readonly status: number,
    readonly titleKey: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}

/**
 * The hosted pages of the code flow at /oauth2/interaction/:uid (docs/api.md §10): sign-in
 * (with a captcha when the name needs one), the second factor (or its forced enrolment),
 * consent, cancel. A door into sign-in like POST /api/v1/auth/login: every rule (lockout,
 * captcha, disabled accounts, second factor, audit with the client_id) is SignInService's.
 *
 * The interaction itself is oidc-provider's (its `_interaction` cookie, signed with the keys
 * every instance derives from ENCRYPTION_KEY; the model in the shared state), and so is
 * every bit of state kept here between two pages: a sign-in started on one instance
 * finishes on another. Each form carries a CSRF token bound to the interaction uid.
 */
@Injectable()
export class InteractionPages implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OIDC_KV) private readonly kv: KeyValueStore,
    private readonly oidc: OidcProvider,
    private readonly pages: PagesService,
    private readonly signIn: SignInService,
    private readonly captcha: CaptchaService,
    private readonly consents: RememberedConsents,
  ) {}

  onModuleInit(): void {
    for (const [name, template] of Object.entries(INTERACTION_VIEWS)) this.pages.defineView(name, template);
    this.pages.defineStrings(INTERACTION_STRINGS);
  }

  /** Registers the routes in the /oauth2 plugin (paths relative to it): the page, and one POST per form. */
  register(app: FastifyInstance): void {
    app.get('/interaction/:uid', this.route(false, this.show));
    const forms: Record<string, Handler> = {
      login: this.login,
      mfa: this.secondFactor,
      continue: this.continue,
      consent: this.consent,
      abort: this.abort,
    };
    for (const [action, handler] of Object.entries(forms)) app.post(`/interaction/:uid/${action}`, this.route(true, handler));
  }

  /** A route handler: the interaction opened (and, for a form, its CSRF token checked), every failure a page. */
  private route(post: boolean, handler: Handler) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler.call(this, await this.open(request, reply, post), request, reply);
      } catch (err) {
        return this.failed(request, reply, err);
      }
    };
  }

  // ---- the pages -----------------------------------------------------------------------

  private async show(o: Opened, _request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    switch (o.details.prompt.name) {
      case 'login':
        return this.signInPage(o, reply, 200);
      case 'consent':
        return this.consentPage(o, reply);
      default:
        throw new PageError(400, 'error.title', 'error.oauth.invalid_request');
    }
  }

  private async signInPage(
    o: Opened,
    reply: FastifyReply,
    status: number,
    extra: { error?: string; username?: string; captcha?: boolean } = {},
  ): Promise<FastifyReply> {
    const captcha = extra.captcha ? await this.captcha.create() : undefined;
    return this.send(o, reply, status, 'oauth/sign-in', {
      title: this.t(o, 'signin.title'),
      clientName: o.clientName,
      error: extra.error,
      username: extra.username ?? (typeof o.details.params.login_hint === 'string' ? o.details.params.login_hint : ''),
      captcha: captcha ? { id: captcha.captcha_id, image: captcha.image } : undefined,
      action: this.path(o, 'login'),
      abortAction: this.path(o, 'abort'),
      forgotUrl: `${this.config.http.appPublicUrl}/forgot-password`,
    });
  }

  private async secondFactorPage(o: Opened, reply: FastifyReply, status: number, pending: PendingFactor, error?: string) {
    // An enrolment shows a secret; after a wrong code a fresh one (the newest counts) rather than keeping one anywhere.
    const enrolment = pending.enrol ? await this.signIn.enrolDuringLogin(pending.mfaToken, o.ctx, o.client.clientId) : undefined;
    return this.send(o, reply, status, 'oauth/second-factor', {
      title: this.t(o, pending.enrol ? 'mfa.enrol_title' : 'mfa.title'),
      enrolment,
      error,
      action: this.path(o, 'mfa'),
      abortAction: this.path(o, 'abort'),
    });
  }

  private consentPage(o: Opened, reply: FastifyReply): FastifyReply {
    const details = o.details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    const scopes = [...new Set([...(details.missingOIDCScope ?? []), ...Object.values(details.missingResourceScopes ?? {}).flat()])];
    return this.send(o, reply, 200, 'oauth/consent', {
      title: this.t(o, 'consent.title'),
      clientName: o.clientName,
      scopes: scopes.map((scope) => {
        const text = this.t(o, `scope.${scope}`);
        return text === `scope.${scope}` ? scope : text;
      }),
      action: this.path(o, 'consent'),
      abortAction: this.path(o, 'abort'),
    });
  }

  // ---- the forms -----------------------------------------------------------------------

  private async login(o: Opened, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    if (o.details.prompt.name !== 'login') return reply.redirect(this.path(o), 303);
    const username = (o.form.get('username') ?? '').trim();
    const password = o.form.get('password') ?? '';
    if (!username || !password) return this.signInPage(o, reply, 400, { error: this.t(o, 'signin.missing'), username });
    const clientId = o.client.clientId;
    try {
      const proved = await this.signIn.prove(
        {
          login: username,
          password,
          captchaId: o.form.get('captcha_id') || undefined,
          captchaCode: o.form.get('captcha_code') || undefined,
        },
        o.ctx,
        clientId,
      );
      const challenge = await this.signIn.challenge(proved, o.ctx, clientId);
      if (challenge) {
        const pending: PendingFactor = { mfaToken: challenge.mfa_token, enrol: challenge.enrolment_required };
        await this.kv.put(this.key('factor', o.uid), JSON.stringify(pending), challenge.expires_in);
        return this.secondFactorPage(o, reply, 200, pending);
      }
      return this.signedIn(o, request, reply, proved, ['pwd']);
    } catch (err) {
      if (!(err instanceof AppException)) throw err;
      for (const [name, value] of Object.entries(err.options.headers ?? {})) reply.header(name, value);
      const captcha =
        err.code === ErrorCode.CAPTCHA_REQUIRED ||
        err.code === ErrorCode.CAPTCHA_INVALID ||
        (err.code === ErrorCode.INVALID_CREDENTIALS && this.config.auth.captchaAfterFailures > 0);
      return this.signInPage(o, reply, err.status, { error: this.message(o, err), username, captcha });
    }
  }

  private async secondFactor(o: Opened, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const raw = await this.kv.get(this.key('factor', o.uid));
    if (o.details.prompt.name !== 'login' || !raw) {
      return this.signInPage(o, reply, 401, { error: localise(o.locale, ErrorCode.INVALID_MFA_TOKEN) });
    }
    const pending = JSON.parse(raw) as PendingFactor;
    const input = (o.form.get('code') ?? '').trim();
    const totp = /^\d{6}$/.test(input.replace(/\s/g, ''));
    if (!input) return this.secondFactorPage(o, reply, 400, pending, localise(o.locale, ErrorCode.INVALID_MFA_CODE));
    const clientId = o.client.clientId;
    try {
      const proof = totp
        ? { mfaToken: pending.mfaToken, code: input.replace(/\s/g, '') }
        : { mfaToken: pending.mfaToken, recoveryCode: input };
      const { proved, recoveryCodes } = await this.signIn.completeChallenge(proof, o.ctx, clientId);
      await this.kv.delete(this.key('factor', o.uid));
      const amr = totp ? ['pwd', 'otp', 'mfa'] : ['pwd', 'mfa'];
      if (!recoveryCodes) return await this.signedIn(o, request, reply, proved, amr);
      // A forced enrolment: the new recovery codes are shown once, then the sign-in goes on.
      await this.signIn.finishBrowser(proved, o.ctx, clientId);
      const done: PendingLogin = { accountId: proved.user.id, amr };
      await this.kv.put(this.key('done', o.uid), JSON.stringify(done), PENDING_LOGIN_TTL);
      return this.send(o, reply, 200, 'oauth/recovery-codes', {
        title: this.t(o, 'mfa.codes_title'),
        codes: recoveryCodes,
        action: this.path(o, 'continue'),
      });
    } catch (err) {
      if (!(err instanceof AppException)) throw err;
      for (const [name, value] of Object.entries(err.options.headers ?? {})) reply.header(name, value);
      if (err.code === ErrorCode.INVALID_MFA_CODE || err.code === ErrorCode.VALIDATION_FAILED) {
        const message = err.code === ErrorCode.VALIDATION_FAILED ? localise(o.locale, ErrorCode.INVALID_MFA_CODE) : this.message(o, err);
        try {
          return await this.secondFactorPage(o, reply, err.status, pending, message);
        } catch (again) {
          if (!(again instanceof AppException)) throw again;
        }
      }
      // The token is spent (too many wrong codes, expired) or the account locked: start again.
      await this.kv.delete(this.key('factor', o.uid));
      return this.signInPage(o, reply, err.status, { error: this.message(o, err) });
    }
  }

  private async continue(o: Opened, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const raw = await this.kv.take(this.key('done', o.uid));
    if (!raw) throw new PageError(400, 'error.expired_title', 'error.expired');
    const done = JSON.parse(raw) as PendingLogin;
    return this.finishInteraction(request, reply, { login: { accountId: done.accountId, amr: done.amr, remember: true } }, false);
  }

  private async consent(o: Opened, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { details } = o;
    if (details.prompt.name !== 'consent') return reply.redirect(this.path(o), 303);
    const accountId = details.session?.accountId;
    if (!accountId) throw new PageError(400, 'error.expired_title', 'error.expired');
    const { Grant } = this.oidc.provider;
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant: Grant =
      (details.grantId ? await Grant.find(details.grantId) : undefined) ?? newGrant(this.oidc.provider, accountId, o.client.clientId);
    const scopes = [...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()];
    grantScopes(grant, scopes);
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await this.consents.remember(accountId, o.client.clientId, scopes);
    return this.finishInteraction(request, reply, { consent: { grantId } }, true);
  }

  private async abort(_o: Opened, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    return this.finishInteraction(request, reply, result, false);
  }

  // ---- helpers -------------------------------------------------------------------------

  /** The password (and second factor) proved: sign in (audit, last login) and hand the login to the provider. */
  private async signedIn(o: Opened, request: FastifyRequest, reply: FastifyReply, proved: ProvedUser, amr: string[]) {
    await this.signIn.finishBrowser(proved, o.ctx, o.client.clientId);
    return this.finishInteraction(request, reply, { login: { accountId: proved.user.id, amr, remember: true } }, false);
  }

  /** Stores the interaction's result and sends the browser back to the authorization endpoint (which sets the SSO cookie). */
  private async finishInteraction(request: FastifyRequest, reply: FastifyReply, result: InteractionResults, merge: boolean) {
    const returnTo = await this.oidc.provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: merge });
    return reply.redirect(returnTo, 303);
  }

  /** Loads the interaction of the request (its signed cookie) and checks that it is the one in the path and the CSRF token. */
  private async open(request: FastifyRequest, reply: FastifyReply, post: boolean): Promise<Opened> {
    const { uid } = request.params as { uid: string };
    const form = post ? new URLSearchParams((await readBody(request, FORM_LIMIT)).toString('utf8')) : new URLSearchParams();
    let details: Interaction;
    try {
      details = await this.oidc.provider.interactionDetails(request.raw, reply.raw);
    } catch (err) {
      if (err instanceof errors.SessionNotFound) throw new PageError(400, 'error.expired_title', 'error.expired');
      throw err;
    }
    if (details.uid !== uid) throw new PageError(400, 'error.expired_title', 'error.expired');
    const locale = this.pages.locale(request.headers['accept-language'], details.params.ui_locales);
    if (post && !this.pages.csrf.verify(`interaction:${uid}`, form.get('csrf'))) {
      throw new PageError(403, 'error.csrf_title', 'error.csrf');
    }
    const client = await this.oidc.provider.Client.find(String(details.params.client_id));
    if (!client) throw new PageError(400, 'error.title', 'error.oauth.invalid_client');
    const ctx = { ...requestContext(request, this.config.i18n.defaultLocale), locale };
    return { uid, details, client, clientName: client.clientName ?? client.clientId, locale, ctx, form };
  }

  private send(o: Opened, reply: FastifyReply, status: number, view: string, data: PageData): FastifyReply {
    return this.pages.send(reply, status, view, { ...data, csrf: this.pages.csrf.tokenFor(`interaction:${o.uid}`) }, o.locale);
  }

  /** An error page: the known ones (expired, CSRF, a body too large) as such; anything else logged, and a plain 500 page. */
  private failed(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
    const locale = this.pages.locale(request.headers['accept-language']);
    let page = err instanceof PageError ? err : undefined;
    if (!page && (err as { statusCode?: number }).statusCode === 413)
      page = new PageError(413, 'error.title', 'error.oauth.invalid_request');
    if (!page) {
      // As the app's exception filter logs what it did not expect: the error's type, code and message, with the request id.
      request.log.error({ err: describeError(err), request_id: request.id }, 'interaction page failed');
      page = new PageError(500, 'error.title', 'error.title');
    }
    return this.pages.send(
      reply,
      page.status,
      'message',
      { title: this.pages.t(locale, page.titleKey), message: this.pages.t(locale, page.messageKey), alert: true },
      locale,
    );
  }

  private message(o: Opened, err: AppException): string {
    return localise(o.locale, err.code, err.options.params ?? {});
  }

  private t(o: Opened, key: string, params?: Record<string, string | number>): string {
    return this.pages.t(o.locale, key, params);
  }

  private path(o: Opened, action?: string): string {
    return `${OAUTH_MOUNT}/interaction/${o.uid}${action ? `/${action}` : ''}`;
  }

  private key(kind: 'factor' | 'done', uid: string): string {
    return `page-${kind}:${uid}`;
  }
}
