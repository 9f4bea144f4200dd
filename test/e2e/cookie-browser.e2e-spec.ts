import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { register, type Registered } from '../support/users.js';
import { CHROMIUM, CHROMIUM_MISSING, CHROMIUM_ARGS } from '../support/chromium.js';

/** Serves the static frontend page (cookie-browser/frontend.html) on its own port: another origin than the service. */
async function serveFrontend(): Promise<{ origin: string; close: () => Promise<void> }> {
  const html = await readFile(new URL('./cookie-browser/frontend.html', import.meta.url), 'utf8');
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Answer {
  status: number;
  body: { data: any; error?: string };
}

/**
 * Cookie mode (docs/api.md §12) as a browser frontend uses it, in a real headless Chromium:
 * a static page on another origin signs in with `fetch(..., { credentials: 'include' })`,
 * survives a reload through a refresh from the cookie, refreshes in two tabs at once, and
 * logs out. The page (127.0.0.1:A) and the service (127.0.0.1:B) are different origins but
 * the same site (ports do not count), so the SameSite=Strict cookies travel; PUBLIC_URL is
 * plain http on a loopback host, so they carry no Secure flag. A page of an origin outside
 * CORS_ORIGINS (127.0.0.1:C, same site too) cannot refresh.
 */
describe(`cookie mode in a browser [${DB}]`, () => {
  let t: TestApp;
  let frontend: Awaited<ReturnType<typeof serveFrontend>>;
  let stranger: Awaited<ReturnType<typeof serveFrontend>>;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let user: Registered;

  beforeAll(async () => {
    frontend = await serveFrontend();
    stranger = await serveFrontend();
    t = await startApp({ PUBLIC_URL: 'http://127.0.0.1', CORS_ORIGINS: frontend.origin, REFRESH_GRACE_SECONDS: '30' });
    user = await register(t.http);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await frontend?.close();
    await stranger?.close();
  });

  /** A tab of the one browser context (one cookie jar), with the page loaded and script errors collected. */
  async function openTab(origin: string, problems: string[]): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const res = await page.goto(`${origin}/?api=${encodeURIComponent(t.url)}`);
    expect(res?.status()).toBe(200);
    await page.waitForFunction("'frontend' in window");
    return page;
  }

  const run = <T = Answer>(page: Page, script: string): Promise<T> => page.evaluate(script) as Promise<T>;

  it('signs in, survives a reload, refreshes in two tabs at once, and logs out; strangers and CSRF-less requests are refused', async () => {
    // In the test, not in a hook, so a missing browser is a failed test (never a skipped one).
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    const problems: string[] = [];
    const tab1 = await openTab(frontend.origin, problems);

    // Sign in: the body holds no refresh token; the browser holds it, out of the scripts' reach.
    const login = await run(tab1, `frontend.login(${JSON.stringify(user.username)}, ${JSON.stringify(user.password)})`);
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body.data.refresh_token).toBeNull();
    const jar = await context.cookies();
    const rt = jar.find((c) => c.name === 'authcentre_rt');
    expect(rt).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth', secure: false });
    expect(jar.find((c) => c.name === 'authcentre_csrf')).toMatchObject({ httpOnly: false, sameSite: 'Strict', path: '/' });
    const visible = await run<string>(tab1, 'document.cookie');
    expect(visible).toContain('authcentre_csrf=');
    expect(visible).not.toContain('authcentre_rt');
    expect(visible).not.toContain(rt!.value);

    // A reload forgets the access token; the first API call refreshes from the cookie.
    await tab1.reload();
    await tab1.waitForFunction("'frontend' in window");
    expect(await run<string | null>(tab1, 'frontend.accessToken')).toBeNull();
    const refreshed = tab1.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh') && r.request().method() === 'POST');
    const me = await run(tab1, "frontend.api('/users/me')");
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body.data.username).toBe(user.username);
    expect((await refreshed).status()).toBe(200);

    // A second tab; both refresh at the same moment with the one cookie. The grace window
    // (REFRESH_GRACE_SECONDS) answers the one that comes second: both stay signed in.
    const tab2 = await openTab(frontend.origin, problems);
    await run(tab1, 'frontend.armRefresh()');
    await run(tab2, 'frontend.armRefresh()');
    await run(tab1, 'frontend.fire()');
    const [both1, both2] = await Promise.all([run(tab1, 'window.armed'), run(tab2, 'window.armed')]);
    expect([both1.status, both2.status], JSON.stringify([both1.body, both2.body])).toEqual([200, 200]);
    for (const tab of [tab1, tab2]) {
      const again = await run(tab, "frontend.api('/users/me')");
      expect(again.status, JSON.stringify(again.body)).toBe(200);
    }
    // And the session goes on: the next refresh works in either tab.
    expect((await run(tab2, 'frontend.refresh()')).status).toBe(200);

    // Without the CSRF header the service refuses to use the cookie.
    const noCsrf = await run(tab1, 'frontend.refresh({ csrf: false })');
    expect([noCsrf.status, noCsrf.body.error]).toEqual([403, 'CSRF_FAILED']);

    // A page of an origin outside CORS_ORIGINS. It is the same site, so the browser sends the
    // cookies, and on the same host it can even read the CSRF cookie...
    const evil = await openTab(stranger.origin, problems);
    expect(await run<string>(evil, 'frontend.csrfToken()')).not.toBe('');
    const liveJtis = () =>
      t.app.get(DataSource).query('SELECT refresh_jti FROM sessions WHERE user_id = ? AND revoked_at IS NULL', [user.id]);
    const before = await liveJtis();
    // What the network saw, through the DevTools protocol: the page itself may not read the answers.
    const network = await context.newCDPSession(evil);
    // The protocol may report a response's extra info before the request itself, so the URL is
    // looked up when the statuses are read, not when they arrive.
    const urls = new Map<string, string>();
    const answers: { requestId: string; status: number }[] = [];
    network.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    network.on('Network.responseReceivedExtraInfo', (e) => answers.push({ requestId: e.requestId, status: e.statusCode }));
    const refreshStatuses = () => answers.filter((a) => urls.get(a.requestId)?.endsWith('/api/v1/auth/refresh')).map((a) => a.status);
    await network.send('Network.enable');
    // ...but with the CSRF header the request needs a CORS preflight, which fails: the POST is never sent.
    expect(await run<string>(evil, 'frontend.refresh().then(() => "answered", (err) => err.name)')).toBe('TypeError');
    // Without custom headers it is sent, cookies and all; the service refuses it for its Origin,
    // and the page cannot read the answer.
    const simple = `fetch(${JSON.stringify(`${t.url}/api/v1/auth/refresh`)}, { method: 'POST', credentials: 'include' })`;
    expect(await run<string>(evil, `${simple}.then(() => "answered", (err) => err.name)`)).toBe('TypeError');
    await expect.poll(refreshStatuses, { timeout: 10_000 }).toContain(403);
    expect(refreshStatuses()).not.toContain(200);
    // Nothing was rotated.
    expect(await liveJtis()).toEqual(before);
    // The cookie the stranger tried to use is intact: the frontend goes on.
    expect((await run(tab1, 'frontend.refresh()')).status).toBe(200);

    // Logout: the session ends and both cookies go; the other tab is signed out too.
    const out = await run(tab1, 'frontend.logout()');
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect((await context.cookies()).filter((c) => c.name.startsWith('authcentre_'))).toEqual([]);
    const after = await run(tab2, "frontend.api('/users/me')");
    expect([after.status, after.body.error]).toEqual([401, 'TOKEN_REVOKED']);
    expect((await run(tab2, 'frontend.refresh()')).body.error).toBe('UNAUTHENTICATED');

    expect(problems).toEqual([]);
  });

  it("runs the README's cookie-mode snippet as written: login, refresh, logout", async () => {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    const readme = await readFile('README.md', 'utf8');
    const snippet = /Login, refresh and logout in cookie mode[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, 'the cookie-mode snippet of README.md').toBeTruthy();
    const problems: string[] = [];
    const page = await openTab(frontend.origin, problems);
    // The snippet as a person pastes it, with the API's address of this test run.
    const script = snippet!.replace(/const API = '[^']*';/, `const API = ${JSON.stringify(`${t.url}/api/v1`)};`);
    const state = `({ token, csrf })`;
    const flow = `(async () => {
      ${script}
      const signedIn = await login(${JSON.stringify(user.username)}, ${JSON.stringify(user.password)});
      const afterLogin = ${state};
      await refresh();
      const afterRefresh = ${state};
      const me = await fetch(API + '/users/me', { headers: { authorization: 'Bearer ' + token } }).then((r) => r.json());
      await logout();
      await refresh();
      return { signedIn: signedIn.code, afterLogin, afterRefresh, me: me.data && me.data.username, afterLogout: ${state}, cookies: document.cookie };
    })()`;
    const result = await run<{
      signedIn: number;
      afterLogin: { token: string; csrf: string };
      afterRefresh: { token: string; csrf: string };
      me: string;
      afterLogout: { token: string | null };
      cookies: string;
    }>(page, flow);
    expect(result.signedIn).toBe(0);
    expect(result.afterLogin.token).toMatch(/^ey/);
    expect(result.afterLogin.csrf).toBeTruthy();
    expect(result.afterRefresh.token).toMatch(/^ey/);
    expect(result.afterRefresh.token).not.toBe(result.afterLogin.token);
    expect(result.me).toBe(user.username);
    // Logged out: the refresh cookie is gone, so the next refresh signs the page out.
    expect(result.afterLogout.token).toBeNull();
    expect(result.cookies).not.toContain('authcentre_csrf=');
    expect(problems).toEqual([]);
    await page.close();
  });
});
