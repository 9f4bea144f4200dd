import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import type { Res } from '../support/http.js';
import { register, type Registered } from '../support/users.js';

/**
 * Cookie mode of docs/api.md §12 over plain HTTP: the cookies' attributes, the Origin and
 * CSRF checks on every request that uses the refresh cookie, rotation and the grace window
 * through the cookie, logout, and CORS with credentials. (cookie-browser.e2e-spec.ts does the
 * same in a real browser.)
 */

const APP = 'https://app.example.com';
const OWN = 'https://id.example.com';
const EVIL = 'https://evil.example.com';

interface Cookie {
  value: string;
  attributes: Record<string, string | true>;
}

/** The Set-Cookie headers of an answer, by cookie name. */
function setCookies(res: Res): Record<string, Cookie> {
  const out: Record<string, Cookie> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      if (i < 0) attributes[attr.toLowerCase()] = true;
      else attributes[attr.slice(0, i).toLowerCase()] = attr.slice(i + 1);
    }
    out[pair.slice(0, eq)] = { value: pair.slice(eq + 1), attributes };
  }
  return out;
}

/** What a browser keeps from a cookie-mode answer. */
interface Jar {
  rt: string;
  csrf: string;
  access: string;
}

const cookieHeader = (jar: Pick<Jar, 'rt' | 'csrf'>) => `authcentre_rt=${jar.rt}; authcentre_csrf=${jar.csrf}`;
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

describe(`cookie mode for browser frontends [${DB}]`, () => {
  let t: TestApp;
  let user: Registered;

  beforeAll(async () => {
    t = await startApp({ PUBLIC_URL: OWN, CORS_ORIGINS: APP, REFRESH_GRACE_SECONDS: '30' });
    user = await register(t.http);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function cookieLogin(): Promise<Jar> {
    const res = await t.http.post(
      '/api/v1/auth/login',
      { username: user.username, password: user.password },
      { headers: { 'x-token-delivery': 'cookie', origin: APP } },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const cookies = setCookies(res);
    return { rt: cookies.authcentre_rt.value, csrf: cookies.authcentre_csrf.value, access: res.body.data.access_token };
  }

  /** POST /auth/refresh as a browser page would send it with `credentials: 'include'`. */
  function cookieRefresh(jar: Pick<Jar, 'rt' | 'csrf'>, headers: Record<string, string> = {}) {
    return t.http.post('/api/v1/auth/refresh', undefined, {
      headers: { cookie: cookieHeader(jar), origin: APP, 'x-csrf-token': jar.csrf, 'x-token-delivery': 'cookie', ...headers },
    });
  }

  it('login with X-Token-Delivery: cookie puts the refresh token in an HttpOnly cookie and refresh_token: null in the body', async () => {
    const res = await t.http.post(
      '/api/v1/auth/login',
      { username: user.username, password: user.password },
      { headers: { 'x-token-delivery': 'cookie' } },
    );
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data).toMatchObject({ refresh_token: null, token_type: 'Bearer', expires_in: 900, user: { username: user.username } });
    expect(typeof data.access_token).toBe('string');
    expect(data.refresh_expires_in).toBeGreaterThan(604_700);

    const { authcentre_rt: rt, authcentre_csrf: csrf, ...others } = setCookies(res);
    expect(others).toEqual({});
    expect(claims(rt.value)).toMatchObject({ typ: 'refresh', sub: user.id });
    expect(rt.attributes).toEqual({
      'max-age': String(data.refresh_expires_in),
      path: '/api/v1/auth',
      httponly: true,
      secure: true,
      samesite: 'Strict',
    });
    // Readable by the frontend's scripts, on every path; the same value as the body's csrf_token.
    expect(csrf.attributes).toEqual({ 'max-age': String(data.refresh_expires_in), path: '/', secure: true, samesite: 'Strict' });
    expect(csrf.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(data.csrf_token).toBe(csrf.value);
  });

  it('without the header, or with X-Token-Delivery: body, answers as before: no cookie; a bad value is 400 before anything happens', async () => {
    const variants: Record<string, string>[] = [{}, { 'x-token-delivery': 'body' }];
    for (const headers of variants) {
      const res = await t.http.post('/api/v1/auth/login', { username: user.username, password: user.password }, { headers });
      expect(res.status).toBe(200);
      expect(typeof res.body.data.refresh_token).toBe('string');
      expect(res.body.data.csrf_token).toBeUndefined();
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const bad = await t.http.post(
      '/api/v1/auth/login',
      { username: user.username, password: 'not the password at all' },
      { headers: { 'x-token-delivery': 'jar' } },
    );
    // Refused before the password is looked at: no failure counted (a wrong password would be 401).
    expect([bad.status, bad.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    expect(bad.body.details).toEqual([
      {
        field: 'X-Token-Delivery',
        code: 'invalid_value',
        message: 'X-Token-Delivery must be one of: cookie, body',
        params: { values: 'cookie, body' },
      },
    ]);
  });

  it('refreshes from the cookie with an allowed Origin and X-CSRF-Token: a new cookie, the same CSRF value, cookie mode even without the header', async () => {
    const jar = await cookieLogin();
    // No X-Token-Delivery: a token read from the HttpOnly cookie never comes back readable in the body.
    const ok = await t.http.post('/api/v1/auth/refresh', undefined, {
      headers: { cookie: cookieHeader(jar), origin: APP, 'x-csrf-token': jar.csrf },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data).toMatchObject({ refresh_token: null, csrf_token: jar.csrf, token_type: 'Bearer' });
    const cookies = setCookies(ok);
    expect(cookies.authcentre_rt.value).not.toBe(jar.rt);
    expect(claims(cookies.authcentre_rt.value).sid).toBe(claims(jar.rt).sid);
    expect(cookies.authcentre_rt.attributes).toMatchObject({ httponly: true, path: '/api/v1/auth', samesite: 'Strict' });
    // The CSRF value belongs to the session: stable through rotations, so tabs never race on it.
    expect(cookies.authcentre_csrf.value).toBe(jar.csrf);
    const me = await t.http.get('/api/v1/users/me', { token: ok.body.data.access_token });
    expect(me.body.data.username).toBe(user.username);

    // The service's own origin (PUBLIC_URL) is allowed too.
    const own = await cookieRefresh({ rt: cookies.authcentre_rt.value, csrf: jar.csrf }, { origin: OWN });
    expect(own.status).toBe(200);
  });

  it('refuses a cookie refresh without the CSRF header, with a wrong one, a forged pair, or a foreign or missing Origin: 403 CSRF_FAILED, nothing spent', async () => {
    const jar = await cookieLogin();
    const cases: Record<string, string | undefined>[] = [
      { 'x-csrf-token': undefined },
      { 'x-csrf-token': 'x'.repeat(43) },
      { origin: EVIL },
      { origin: 'null' },
      { origin: undefined },
      { origin: 'http://app.example.com' },
    ];
    for (const change of cases) {
      const headers: Record<string, string> = { cookie: cookieHeader(jar), origin: APP, 'x-csrf-token': jar.csrf };
      for (const [name, value] of Object.entries(change)) {
        if (value === undefined) delete headers[name];
        else headers[name] = value;
      }
      const res = await t.http.post('/api/v1/auth/refresh', undefined, { headers });
      expect([res.status, res.body.error], JSON.stringify(change)).toEqual([403, 'CSRF_FAILED']);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    // A cookie the attacker planted beside the header: equal, but not the session's value.
    const forged = await cookieRefresh({ rt: jar.rt, csrf: 'A'.repeat(43) });
    expect([forged.status, forged.body.error]).toEqual([403, 'CSRF_FAILED']);
    // The real pair still works: none of the refused requests spent the token.
    expect((await cookieRefresh(jar)).status).toBe(200);
  });

  it('a token given in the header or the body wins over the cookie, which is then not checked', async () => {
    const body = await t.http.post('/api/v1/auth/login', { username: user.username, password: user.password });
    const junk = { rt: 'junk', csrf: 'junk' };
    const res = await t.http.post(
      '/api/v1/auth/refresh',
      { refresh_token: body.body.data.refresh_token },
      { headers: { cookie: cookieHeader(junk), origin: EVIL } },
    );
    expect(res.status).toBe(200);
    expect(typeof res.body.data.refresh_token).toBe('string');
    // No token at all, and no cookie: as before.
    const none = await t.http.post('/api/v1/auth/refresh');
    expect([none.status, none.body.error]).toEqual([401, 'UNAUTHENTICATED']);
    // A junk cookie passes CSRF only with its own header; then it is an invalid token.
    const bad = await t.http.post('/api/v1/auth/refresh', undefined, {
      headers: { cookie: cookieHeader(junk), origin: APP, 'x-csrf-token': 'junk' },
    });
    expect([bad.status, bad.body.error]).toEqual([401, 'INVALID_TOKEN']);
  });

  it('several tabs: within REFRESH_GRACE_SECONDS the cookie another tab just spent still yields the session’s current pair', async () => {
    const jar = await cookieLogin();
    // Both tabs sent the same cookie; the first rotates it...
    const first = await cookieRefresh(jar);
    expect(first.status).toBe(200);
    // ...the second arrives with the spent one and is answered with the session's new token.
    const second = await cookieRefresh(jar);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const [a, b] = [setCookies(first).authcentre_rt.value, setCookies(second).authcentre_rt.value];
    expect(claims(b)).toMatchObject({ sid: claims(a).sid, jti: claims(a).jti });
    // Whichever cookie the browser kept last goes on working.
    const next = await cookieRefresh({ rt: b, csrf: jar.csrf });
    expect(next.status).toBe(200);
    expect((await t.http.get('/api/v1/users/me', { token: second.body.data.access_token })).status).toBe(200);
  });

  it('logout needs the access token; with the refresh cookie it needs the CSRF checks, ends the cookie’s session and clears both cookies', async () => {
    const jar = await cookieLogin();
    const noAccess = await t.http.post('/api/v1/auth/logout', undefined, {
      headers: { cookie: cookieHeader(jar), origin: APP, 'x-csrf-token': jar.csrf },
    });
    expect([noAccess.status, noAccess.body.error]).toEqual([401, 'UNAUTHENTICATED']);
    const noCsrf = await t.http.post('/api/v1/auth/logout', undefined, {
      token: jar.access,
      headers: { cookie: cookieHeader(jar), origin: APP },
    });
    expect([noCsrf.status, noCsrf.body.error]).toEqual([403, 'CSRF_FAILED']);
    expect((await t.http.get('/api/v1/users/me', { token: jar.access })).status).toBe(200);

    const out = await t.http.post('/api/v1/auth/logout', undefined, {
      token: jar.access,
      headers: { cookie: cookieHeader(jar), origin: APP, 'x-csrf-token': jar.csrf },
    });
    expect(out.status).toBe(200);
    const cleared = setCookies(out);
    expect(cleared.authcentre_rt).toMatchObject({ value: '', attributes: { 'max-age': '0', path: '/api/v1/auth', httponly: true } });
    expect(cleared.authcentre_csrf).toMatchObject({ value: '', attributes: { 'max-age': '0', path: '/' } });
    expect((await t.http.get('/api/v1/users/me', { token: jar.access })).body.error).toBe('TOKEN_REVOKED');
    expect((await cookieRefresh(jar)).body.error).toBe('TOKEN_REVOKED');
  });

  it('logout with an access token of one session and the cookie of another ends both', async () => {
    const first = await cookieLogin();
    const second = await cookieLogin();
    const out = await t.http.post('/api/v1/auth/logout', undefined, {
      token: first.access,
      headers: { cookie: cookieHeader(second), origin: APP, 'x-csrf-token': second.csrf },
    });
    expect(out.status).toBe(200);
    expect((await t.http.get('/api/v1/users/me', { token: first.access })).body.error).toBe('TOKEN_REVOKED');
    expect((await t.http.get('/api/v1/users/me', { token: second.access })).body.error).toBe('TOKEN_REVOKED');
    // Body-mode clients are untouched: no cookie, no CSRF check, nothing cleared.
    const plain = await t.http.post('/api/v1/auth/login', { username: user.username, password: user.password });
    const bye = await t.http.post('/api/v1/auth/logout', undefined, { token: plain.body.data.access_token });
    expect(bye.status).toBe(200);
    expect(bye.headers.getSetCookie()).toEqual([]);
  });

  it('answers CORS with credentials for CORS_ORIGINS only', async () => {
    const preflight = (origin: string) =>
      t.http.req('OPTIONS', '/api/v1/auth/refresh', {
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-csrf-token,x-token-delivery' },
      });
    const ok = await preflight(APP);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/x-csrf-token/i);
    const evil = await preflight(EVIL);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe(`cookie mode: configuration [${DB}]`, () => {
  const loginCookies = async (env: Record<string, string>) => {
    const t = await startApp(env);
    try {
      const u = await register(t.http);
      const res = await t.http.post(
        '/api/v1/auth/login',
        { username: u.username, password: u.password },
        { headers: { 'x-token-delivery': 'cookie' } },
      );
      expect(res.status).toBe(200);
      return setCookies(res);
    } finally {
      await t.close();
    }
  };

  it('drops Secure only when PUBLIC_URL is plain http on a loopback host', async () => {
    expect((await loginCookies({ PUBLIC_URL: 'http://127.0.0.1:8080' })).authcentre_rt.attributes.secure).toBeUndefined();
    expect((await loginCookies({})).authcentre_csrf.attributes.secure).toBeUndefined(); // default http://localhost:PORT
    expect((await loginCookies({ PUBLIC_URL: 'http://id.example.com' })).authcentre_rt.attributes.secure).toBe(true);
  });

  it('with the default REFRESH_GRACE_SECONDS=0 a second tab presenting the spent cookie revokes the session', async () => {
    const t = await startApp({ CORS_ORIGINS: APP });
    try {
      const u = await register(t.http);
      const login = await t.http.post(
        '/api/v1/auth/login',
        { username: u.username, password: u.password },
        { headers: { 'x-token-delivery': 'cookie' } },
      );
      const cookies = setCookies(login);
      const jar = { rt: cookies.authcentre_rt.value, csrf: cookies.authcentre_csrf.value };
      const send = () =>
        t.http.post('/api/v1/auth/refresh', undefined, { headers: { cookie: cookieHeader(jar), origin: APP, 'x-csrf-token': jar.csrf } });
      expect((await send()).status).toBe(200);
      const again = await send();
      expect([again.status, again.body.error]).toEqual([401, 'REFRESH_TOKEN_REUSED']);
    } finally {
      await t.close();
    }
  });

  it('CORS_ORIGINS with * and a listed origin: credentials for the listed one only, * without credentials for others', async () => {
    const t = await startApp({ CORS_ORIGINS: `*,${APP}` });
    try {
      const get = (origin: string) => t.http.get('/api/v1/auth/captcha', { headers: { origin } });
      const listed = await get(APP);
      expect(listed.headers.get('access-control-allow-origin')).toBe(APP);
      expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
      const other = await get(EVIL);
      expect(other.headers.get('access-control-allow-origin')).toBe('*');
      expect(other.headers.get('access-control-allow-credentials')).toBeNull();
    } finally {
      await t.close();
    }
  });
});
