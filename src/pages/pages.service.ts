import { Inject, Injectable } from '@nestjs/common';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { LOCALES, pickLocale, type Locale } from '../common/i18n/messages.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { CsrfTokens } from './csrf.js';
import { COMMON_STRINGS, type PageStrings } from './page-strings.js';
import { PAGES_CSS } from './pages.css.js';
import { LAYOUT, MESSAGE_VIEW } from './templates.js';

/** Where the pages' one stylesheet is served. */
export const PAGES_CSS_PATH = '/assets/pages.css';

/**
 * The hosted pages' CSP: nothing inline, nothing from elsewhere; images from the app or
 * `data:` (captcha and QR images). No `form-action`: browsers apply it to the redirects
 * after a POST too, and the sign-in's chain ends at the client's redirect_uri.
 */
export const PAGES_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

/** What every view gets besides its own data. */
export interface PageData {
  /** The page's heading and title, already in the page's locale. */
  title: string;
  /** Shown at the foot of the page (for support), when given. */
  requestId?: string;
  [key: string]: unknown;
}

/**
 * The hosted pages' infrastructure, for every feature that serves HTML to a browser (the
 * sign-in pages of the OAuth code flow; later /reset-password and /verify-email):
 * server-rendered Eta views in one layout, their texts in `en` and `zh-CN`, the locale
 * choice, HMAC CSRF tokens, the headers (CSP without inline script or style, no-store)
 * and the one stylesheet. A feature defines its views and texts once at start
 * (`defineView`, `defineStrings`) and renders with `render` or `send`.
 */
@Injectable()
export class PagesService {
  readonly csrf: CsrfTokens;
  private readonly eta = new Eta({ autoEscape: true, cache: true, useWith: false });
  private readonly strings: Record<Locale, Map<string, string>> = { en: new Map(), 'zh-CN': new Map() };
  private readonly defaultLocale: Locale;
  private readonly basePath: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.csrf = new CsrfTokens(config.encryptionKey!);
    this.defaultLocale = config.i18n.defaultLocale;
    // A PUBLIC_URL with a path (behind a proxy) keeps its path in the stylesheet's address.
    this.basePath = new URL(config.http.publicUrl).pathname.replace(/\/$/, '');
    this.eta.loadTemplate('@layout', LAYOUT);
    this.defineView('message', MESSAGE_VIEW);
    this.defineStrings(COMMON_STRINGS);
  }

  /** Registers a view: an Eta template that starts with `<% layout('@layout') %>` and reads `it.*` and `it.t(key)`. */
  defineView(name: string, template: string): void {
    this.eta.loadTemplate(`@${name}`, template);
  }

  /** Adds texts (a key defined twice keeps the later text). */
  defineStrings(strings: PageStrings): void {
    for (const locale of LOCALES) for (const [key, text] of Object.entries(strings[locale])) this.strings[locale].set(key, text);
  }

  /** The text of `key` in `locale` with `{param}`s filled in (the key itself when undefined: a visible mistake, not a crash). */
  t(locale: Locale, key: string, params: Record<string, string | number> = {}): string {
    const text = this.strings[locale].get(key) ?? this.strings.en.get(key) ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
  }

  /**
   * The page's locale: the first supported tag of OIDC `ui_locales` (space-separated, in
   * order of preference) when given, else Accept-Language, else DEFAULT_LOCALE.
   */
  locale(acceptLanguage: string | undefined, uiLocales?: unknown): Locale {
    if (typeof uiLocales === 'string') {
      for (const tag of uiLocales.split(' ').filter(Boolean)) {
        const picked = localeOfTag(tag);
        if (picked) return picked;
      }
    }
    return pickLocale(acceptLanguage, this.defaultLocale);
  }

  /** The full HTML of `view` in `locale`. */
  render(view: string, data: PageData, locale: Locale): string {
    return this.eta.render(`@${view}`, {
      ...data,
      locale,
      cssHref: `${this.basePath}${PAGES_CSS_PATH}`,
      t: (key: string, params?: Record<string, string | number>) => this.t(locale, key, params),
    });
  }

  /** The headers of every page answer. */
  headers(locale: Locale): Record<string, string> {
    return {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': PAGES_CSP,
      'Content-Language': locale,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    };
  }

  /** Renders `view` and sends it with `status` and the page headers (the request id goes at the foot). */
  send(reply: FastifyReply, status: number, view: string, data: PageData, locale: Locale): FastifyReply {
    const html = this.render(view, { requestId: String(reply.request.id), ...data }, locale);
    return reply.code(status).headers(this.headers(locale)).send(html);
  }

  /** Serves the stylesheet (called once by the app factory, before it listens). */
  mount(fastify: FastifyInstance): void {
    fastify.get(PAGES_CSS_PATH, async (_request, reply) =>
      reply.header('Content-Type', 'text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(PAGES_CSS),
    );
  }
}

/** The supported locale a BCP 47 tag names (`zh`, `zh-Hans-CN`, `en-GB`, …), or null. */
function localeOfTag(tag: string): Locale | null {
  const lower = tag.toLowerCase();
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return null;
}
