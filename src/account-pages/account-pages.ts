import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PasswordResetService } from '../auth/password-reset.service.js';
import { describeError } from '../common/errors/all-exceptions.filter.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { requestContext, type RequestContext } from '../common/http/request-context.js';
import { detailText } from '../common/i18n/details.js';
import { localise, type Locale } from '../common/i18n/messages.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { PagesService, type PageData } from '../pages/pages.service.js';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { EmailVerificationService } from '../users/email-verification.service.js';
import { ACCOUNT_STRINGS, ACCOUNT_VIEWS } from './views.js';

/** The pages' forms are tiny; anything larger is not one of them. */
const FORM_LIMIT = 16 * 1024;
const RESET = '/reset-password';
const FORGOT = '/forgot-password';
const VERIFY = '/verify-email';
/** Mailed tokens are 43 base64url characters; anything much longer is not one. */
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

interface Opened {
  locale: Locale;
  ctx: RequestContext;
  form: URLSearchParams;
}

/**
 * The pages that mailed links open, so they work with no frontend (docs/api.md §3, §12):
 * `/reset-password?token=…` (choose a new password), `/forgot-password` (ask for a link) and
 * `/verify-email?token=…` (confirm the address). They are doors like the API's routes and call
 * the same services, so every rule holds: the password policy, single-use tokens, sessions
 * ended by a reset, the audit, no hint whether an address has an account.
 *
 * Server-rendered on PagesService (the look, locales, CSP and CSRF of the sign-in pages).
 * Visiting a link changes nothing: a mail scanner that follows it spends no token. The change
 * is a POST from the page, its CSRF token bound to the link's token. A frontend that serves
 * these paths itself sets APP_PUBLIC_URL, and the mails point there instead.
 */
@Injectable()
export class AccountPages implements OnModuleInit {
  private readonly logger = new Logger(AccountPages.name);
  private readonly limits: ThrottlerStorage;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SHARED_STATE) state: SharedState,
    private readonly pages: PagesService,
    private readonly resets: PasswordResetService,
    private readonly verifications: EmailVerificationService,
  ) {
    this.limits = state.throttlerStorage();
  }

  onModuleInit(): void {
    for (const [name, template] of Object.entries(ACCOUNT_VIEWS)) this.pages.defineView(name, template);
    this.pages.defineStrings(ACCOUNT_STRINGS);
  }

  /** Registers the pages on the app's Fastify instance (before it listens). */
  mount(fastify: FastifyInstance): void {
    void fastify.register(async (app) => {
      // Form posts only here (the API takes JSON): read as text, parsed by the handlers.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_request, body, done) => done(null, body));
      app.get(RESET, this.route(false, this.showReset));
      app.post(RESET, this.route(true, this.reset));
      app.get(FORGOT, this.route(false, this.showForgot));
      app.post(FORGOT, this.route(true, this.forgot));
      app.get(VERIFY, this.route(false, this.showVerify));
      app.post(VERIFY, this.route(true, this.verify));
    });
  }

  private route(post: boolean, handler: (o: Opened, reply: FastifyReply) => Promise<FastifyReply>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const locale = this.pages.locale(request.headers['accept-language']);
      try {
        const form = post ? formOf(request) : new URLSearchParams(queryOf(request));
        if (post && !(await this.allowed(request))) {
          return this.message(reply, 429, locale, 'error.title', 'account.too_many', { alert: true });
        }
        return await handler.call(
          this,
          { locale, ctx: { ...requestContext(request, this.config.i18n.defaultLocale), locale }, form },
          reply,
        );
      } catch (err) {
        this.logger.error(`account page ${request.method} ${request.url.split('?')[0]} failed: ${describeError(err)}`);
        return this.message(reply, 500, locale, 'error.title', 'error.title', { alert: true });
      }
    };
  }

  // ---- reset password ----------------------------------------------------------------

  private async showReset(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    const token = this.tokenOf(o);
    if (!token) return this.message(reply, 400, o.locale, 'reset.invalid_title', 'account.missing_token', { alert: true, askAgain: true });
    try {
      await this.resets.verify(token);
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.INVALID_RESET_TOKEN) return this.invalidReset(o, reply);
      throw err;
    }
    return this.resetForm(o, reply, 200, token);
  }

  private async reset(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    const token = this.tokenOf(o);
    if (!token || !this.pages.csrf.verify(bindingOf(token), o.form.get('csrf'))) return this.csrfFailed(o, reply);
    const password = o.form.get('new_password') ?? '';
    if (password !== (o.form.get('confirm_password') ?? '')) {
      return this.resetForm(o, reply, 400, token, { error: this.pages.t(o.locale, 'reset.mismatch') });
    }
    try {
      await this.resets.reset(token, password, o.ctx);
    } catch (err) {
      if (!(err instanceof AppException)) throw err;
      if (err.code === ErrorCode.INVALID_RESET_TOKEN || err.code === ErrorCode.NOT_FOUND) return this.invalidReset(o, reply);
      if (err.code === ErrorCode.WEAK_PASSWORD || err.code === ErrorCode.VALIDATION_FAILED) {
        const problems = (err.options.details ?? []).map((d) =>
          detailText(o.locale, d.code, this.pages.t(o.locale, 'reset.new_password'), d.params),
        );
        return this.resetForm(o, reply, 400, token, {
          error: localise(o.locale, err.code, { min: this.config.auth.passwordMinLength }),
          problems,
        });
      }
      throw err;
    }
    return this.message(reply, 200, o.locale, 'reset.done_title', 'reset.done');
  }

  private resetForm(o: Opened, reply: FastifyReply, status: number, token: string, extra: { error?: string; problems?: string[] } = {}) {
    return this.send(reply, status, 'account/reset-password', o.locale, {
      title: this.pages.t(o.locale, 'reset.title'),
      token,
      csrf: this.pages.csrf.tokenFor(bindingOf(token)),
      action: RESET,
      min: this.config.auth.passwordMinLength,
      ...extra,
    });
  }

  private invalidReset(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    return this.message(reply, 400, o.locale, 'reset.invalid_title', localise(o.locale, ErrorCode.INVALID_RESET_TOKEN), {
      alert: true,
      askAgain: true,
      literal: true,
    });
  }

  // ---- forgot password ---------------------------------------------------------------

  private async showForgot(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    return this.forgotForm(o, reply, 200, '');
  }

  private async forgot(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    if (!this.pages.csrf.verify(FORGOT, o.form.get('csrf'))) return this.csrfFailed(o, reply);
    const email = (o.form.get('email') ?? '').trim();
    if (!EMAIL.test(email) || email.length > 254) {
      return this.forgotForm(o, reply, 400, email.slice(0, 254), this.pages.t(o.locale, 'forgot.invalid_email'));
    }
    // The same answer for every address, at once (the lookup and the mail come after it).
    this.resets.forgot(email, o.ctx);
    return this.message(reply, 200, o.locale, 'forgot.sent_title', 'forgot.sent');
  }

  private forgotForm(o: Opened, reply: FastifyReply, status: number, email: string, error?: string) {
    return this.send(reply, status, 'account/forgot-password', o.locale, {
      title: this.pages.t(o.locale, 'forgot.title'),
      csrf: this.pages.csrf.tokenFor(FORGOT),
      action: FORGOT,
      email,
      error,
    });
  }

  // ---- verify email ------------------------------------------------------------------

  private async showVerify(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    const token = this.tokenOf(o);
    if (!token) return this.message(reply, 400, o.locale, 'verify.invalid_title', 'account.missing_token', { alert: true });
    return this.send(reply, 200, 'account/verify-email', o.locale, {
      title: this.pages.t(o.locale, 'verify.title'),
      token,
      csrf: this.pages.csrf.tokenFor(bindingOf(token)),
      action: VERIFY,
    });
  }

  private async verify(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    const token = this.tokenOf(o);
    if (!token || !this.pages.csrf.verify(bindingOf(token), o.form.get('csrf'))) return this.csrfFailed(o, reply);
    try {
      await this.verifications.verify(token, o.ctx);
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.INVALID_VERIFY_TOKEN) {
        return this.message(reply, 400, o.locale, 'verify.invalid_title', localise(o.locale, ErrorCode.INVALID_VERIFY_TOKEN), {
          alert: true,
          literal: true,
        });
      }
      throw err;
    }
    return this.message(reply, 200, o.locale, 'verify.done_title', 'verify.done');
  }

  // ---- shared ------------------------------------------------------------------------

  private tokenOf(o: Opened): string | null {
    const token = o.form.get('token');
    return token && TOKEN.test(token) ? token : null;
  }

  /** Per client IP, as the API's public auth routes (RATE_LIMIT_AUTH_PER_MINUTE; 0 = off). */
  private async allowed(request: FastifyRequest): Promise<boolean> {
    const limit = this.config.auth.rateLimitPerMinute;
    if (!limit) return true;
    const record = await this.limits.increment(`account-pages:${request.ip}`, 60_000, limit, 0, 'account-pages');
    return !record.isBlocked;
  }

  private csrfFailed(o: Opened, reply: FastifyReply): Promise<FastifyReply> {
    return this.message(reply, 400, o.locale, 'error.csrf_title', 'error.csrf', { alert: true });
  }

  /** The message page: `message` is a text key, or (literal) the text itself. */
  private message(
    reply: FastifyReply,
    status: number,
    locale: Locale,
    titleKey: string,
    message: string,
    opts: { alert?: boolean; askAgain?: boolean; literal?: boolean } = {},
  ): Promise<FastifyReply> {
    return this.send(reply, status, 'message', locale, {
      title: this.pages.t(locale, titleKey),
      message: opts.literal ? message : this.pages.t(locale, message),
      alert: opts.alert,
      link: opts.askAgain ? { href: FORGOT, text: this.pages.t(locale, 'reset.ask_again') } : undefined,
    });
  }

  private async send(reply: FastifyReply, status: number, view: string, locale: Locale, data: PageData): Promise<FastifyReply> {
    return this.pages.send(reply, status, view, data, locale);
  }
}

/** What a form's CSRF token is bound to: the link's token, by digest (the token itself never goes into an HMAC key path twice). */
function bindingOf(token: string): string {
  return `account:${createHash('sha256').update(token).digest('base64url')}`;
}

function queryOf(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at === -1 ? '' : request.url.slice(at + 1);
}

/** A urlencoded form body; anything else reads as an empty form (and so fails its CSRF check). */
function formOf(request: FastifyRequest): URLSearchParams {
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded') || typeof request.body !== 'string') return new URLSearchParams();
  return new URLSearchParams(request.body);
}
