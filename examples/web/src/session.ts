/**
 * The session of a browser frontend in cookie mode (docs/frontend.md, API contract §12), over a
 * client generated from the service's openapi.json (openapi-typescript types + openapi-fetch).
 *
 * - The access token lives in memory only: a reload forgets it, and the next call refreshes.
 * - The refresh token is the service's HttpOnly cookie `authcentre_rt`: no script here ever sees it.
 * - Requests that use the cookie (refresh, logout) carry `X-CSRF-Token`: the readable cookie
 *   `authcentre_csrf` when this page shares the service's host, else the `csrf_token` of the login.
 * - Every authenticated call goes through `authed()`: on 401 `TOKEN_EXPIRED` it refreshes once
 *   (one refresh at a time, however many calls are waiting) and sends the call again.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api';

export type Me = components['schemas']['MeDto'];
export type ErrorKey = components['schemas']['ErrorEnvelopeDto']['error'];
type ErrorEnvelope = components['schemas']['ErrorEnvelopeDto'];

const CSRF_STORAGE_KEY = 'authcentre.csrf';

/** What the page shows in its activity log: each exchange and each refresh. */
export type Listener = (line: string) => void;

export class Session {
  readonly client;
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;

  constructor(
    apiUrl: string,
    private readonly log: Listener = () => {},
  ) {
    // credentials: 'include' sends and accepts the service's cookies across origins (CORS with credentials).
    this.client = createClient<paths>({ baseUrl: apiUrl, credentials: 'include' });
    this.client.use(this.bearer);
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** Adds the access token to every request that has none, and logs what came back. */
  private readonly bearer: Middleware = {
    onRequest: ({ request, schemaPath }) => {
      // Never at /auth/refresh: a token in the header wins over the cookie there, and an access
      // token is the wrong type (401 INVALID_TOKEN_TYPE).
      if (this.accessToken && schemaPath !== '/api/v1/auth/refresh' && !request.headers.has('authorization')) {
        request.headers.set('authorization', `Bearer ${this.accessToken}`);
      }
      return request;
    },
    onResponse: async ({ request, response, schemaPath }) => {
      const body = response.ok
        ? null
        : ((await response
            .clone()
            .json()
            .catch(() => null)) as Partial<ErrorEnvelope> | null);
      this.log(`${request.method} ${schemaPath} → ${response.status}${body?.error ? ` ${body.error}` : ''}`);
      return response;
    },
  };

  /** Signs in; answers the second-factor challenge when the account has one (then call `completeMfa`). */
  async login(username: string, password: string) {
    const res = await this.client.POST('/api/v1/auth/login', {
      headers: { 'X-Token-Delivery': 'cookie' },
      body: { username, password },
    });
    if (res.error) return { kind: 'error', error: res.error } as const;
    const answer = res.data.data;
    if (answer.mfa_required) return { kind: 'mfa', challenge: answer } as const;
    this.accept(answer);
    return { kind: 'signed-in', me: answer.user } as const;
  }

  /** The second step of a sign-in with a second factor: the authenticator's code or a recovery code. */
  async completeMfa(mfaToken: string, code: string) {
    const body = /^\d{6}$/.test(code) ? { mfa_token: mfaToken, code } : { mfa_token: mfaToken, recovery_code: code };
    const res = await this.client.POST('/api/v1/auth/login/mfa', { headers: { 'X-Token-Delivery': 'cookie' }, body });
    if (res.error) return { kind: 'error', error: res.error } as const;
    this.accept(res.data.data);
    return { kind: 'signed-in', me: res.data.data.user } as const;
  }

  /** A new access token from the refresh cookie; false when there is no live session (show the sign-in). */
  refresh(): Promise<boolean> {
    // Calls that fail together wait for one refresh: the cookie is single-use (rotation).
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const csrf = csrfToken();
    if (!csrf) {
      this.accessToken = null;
      return false;
    }
    const res = await this.client.POST('/api/v1/auth/refresh', {
      headers: { 'X-Token-Delivery': 'cookie', 'X-CSRF-Token': csrf },
    });
    if (res.error) {
      this.forget();
      return false;
    }
    this.accept(res.data.data);
    this.log('refreshed the access token');
    return true;
  }

  /**
   * Runs an authenticated call: refreshes first when no access token is held (after a reload),
   * and once more, then repeats the call, when the service answers 401 TOKEN_EXPIRED.
   */
  async authed<R extends { error?: unknown }>(call: () => Promise<R>): Promise<R> {
    if (!this.accessToken) await this.refresh();
    const first = await call();
    if (errorKey(first.error) !== 'TOKEN_EXPIRED' || !(await this.refresh())) return first;
    return call();
  }

  /** The signed-in user (Me: the user with their roles and permissions). */
  async me(): Promise<Me | null> {
    if (!this.signedIn && !(await this.refresh())) return null;
    const res = await this.authed(() => this.client.GET('/api/v1/users/me'));
    return res.data?.data ?? null;
  }

  /** Ends this session at the service, which clears both cookies. */
  async logout(): Promise<void> {
    const csrf = csrfToken() ?? '';
    await this.authed(() => this.client.POST('/api/v1/auth/logout', { headers: { 'X-CSRF-Token': csrf }, body: {} }));
    this.forget();
  }

  private accept(tokens: { access_token: string; csrf_token?: string }): void {
    this.accessToken = tokens.access_token;
    // The same value as the csrf cookie, stable for the session: kept for pages on another host,
    // which cannot read the service's cookie. It guards against other sites, not against our own scripts.
    if (tokens.csrf_token) localStorage.setItem(CSRF_STORAGE_KEY, tokens.csrf_token);
  }

  private forget(): void {
    this.accessToken = null;
    localStorage.removeItem(CSRF_STORAGE_KEY);
  }
}

/** The CSRF value: the readable `authcentre_csrf` cookie when visible, else the one kept at login. */
export function csrfToken(): string | null {
  const match = /(?:^|;\s*)authcentre_csrf=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : localStorage.getItem(CSRF_STORAGE_KEY);
}

/** The stable `error` key of an error envelope (`TOKEN_EXPIRED`, `INVALID_CREDENTIALS`, ...). */
export function errorKey(error: unknown): ErrorKey | undefined {
  return typeof error === 'object' && error !== null && 'error' in error ? (error as ErrorEnvelope).error : undefined;
}

/** The localised human message of an error envelope (the service reads Accept-Language). */
export function errorMessage(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error ? String((error as ErrorEnvelope).message) : 'Request failed';
}
