import * as client from 'openid-client';

/** Where a run of redirects ended: a page of the issuer (with its HTML), or a redirect out of it (to a client). */
export interface Landing {
  status: number;
  url: string;
  headers: Headers;
  html: string;
  /** Set when the last answer redirected to another origin (a client's redirect_uri). */
  leftTo?: URL;
}

/**
 * A browser without a browser, for the protocol tests of the code flow: fetch with a cookie
 * jar (by name; paths are ignored, which only sends more than a browser would), following
 * the issuer's redirects and stopping where one leaves it. The browser tests use Chromium.
 */
export class PageDriver {
  private readonly jar = new Map<string, string>();
  /** Every Set-Cookie line received, in order. */
  readonly setCookies: string[] = [];

  /**
   * `origin`: the issuer's. With `via`, every request to it (or to an origin in `aliases`)
   * is sent to the origin `via()` names at that moment: one instance of a cluster or another,
   * as a balancer would route them.
   */
  constructor(
    readonly origin: string,
    private readonly opts: { via?: () => string; aliases?: string[] } = {},
  ) {}

  private inside(url: URL): boolean {
    return url.origin === this.origin || (this.opts.aliases ?? []).includes(url.origin);
  }

  private routed(url: string): string {
    if (!this.opts.via) return url;
    const target = new URL(url, this.origin);
    return this.inside(target) ? `${this.opts.via()}${target.pathname}${target.search}` : url;
  }

  cookieNames(): string[] {
    return [...this.jar.keys()];
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.routed(url), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const gone = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (gone) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1).trim());
    }
    return res;
  }

  /** GETs `url` (or POSTs `form` to it) and follows the issuer's redirects. */
  async go(url: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Landing> {
    let res = await this.request(url, form ? { method: 'POST', body: new URLSearchParams(form), headers } : { headers });
    let current = new URL(url, this.origin);
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      const next = new URL(res.headers.get('location')!, current);
      if (!this.inside(next)) return { status: res.status, url: current.href, headers: res.headers, html: '', leftTo: next };
      current = next;
      res = await this.request(next.href, { headers });
    }
    return { status: res.status, url: current.href, headers: res.headers, html: await res.text() };
  }

  /** Submits the form of `page` whose action ends with `/action`, with its CSRF token and `fields`. */
  submit(page: Landing, action: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Landing> {
    const target = formAction(page.html, action);
    return this.go(new URL(target, this.origin).href, { csrf: hidden(page.html, 'csrf'), ...fields }, headers);
  }
}

/** The value of a hidden input of a page. */
export function hidden(html: string, name: string): string {
  const m = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no hidden ${name} in ${html.slice(0, 300)}`);
  return m[1];
}

/** The action of the form that posts to `…/action`. */
export function formAction(html: string, action: string): string {
  const m = new RegExp(`<form method="post" action="([^"]*/${action})"`).exec(html);
  if (!m) throw new Error(`no form for ${action} in ${html.slice(0, 300)}`);
  return m[1];
}

/** An authorization request as a relying party makes it with openid-client (PKCE S256, state, nonce). */
export async function authorizationRequest(
  config: client.Configuration,
  redirectUri: string,
  params: Record<string, string> = {},
): Promise<{ url: URL; verifier: string; state: string; nonce: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}
