import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/ports.js';
import { TotpDevice } from '../support/totp.js';
import { register, registerAndLogin, type Registered } from '../support/users.js';
import { CHROMIUM, CHROMIUM_MISSING, CHROMIUM_ARGS } from '../support/chromium.js';

const exec = promisify(execFile);
const ROOT = process.cwd();
const EXAMPLE = resolve(ROOT, 'examples/web');
const ARTIFACTS = resolve(ROOT, 'test-artifacts/example-web');

/** The service's minimum (src/config/env.schema.ts): the test waits this long for the access token to expire. */
const ACCESS_TOKEN_TTL = 30;

/** The payload of a JWT (read, not verified: the service verifies). */
const claims = (jwt: string): { exp: number; iat: number } => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

/** What a checkout of examples/web holds, without what `npm install` / `npm run dev` would add there. */
const copied = (src: string) => !['node_modules', 'dist', 'api.d.ts', '.env.local'].includes(basename(src));

/**
 * The example frontend (examples/web) as its README runs it, from the main suite without an
 * install of its own: a copy of it in a temp folder whose node_modules is this repository's
 * (so openapi-fetch, openapi-typescript, typescript and vite are the root devDependencies),
 * `npm run generate` done with openapi-typescript's API, a strict `tsc` over it, a Vite
 * production build through Vite's JavaScript API with the example's own vite.config.ts, and
 * `vite preview` on a free port. `.env.local` points it at the test's service, as a developer's
 * would. Then a real Chromium signs in, sees the user, outlives its access token through the
 * refresh loop, and signs out.
 */
describe(`the example frontend examples/web [${DB}]`, () => {
  let t: TestApp;
  let dir: string;
  let site: PreviewServer | undefined;
  let origin: string;
  let browser: Browser | undefined;
  let user: Registered;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authcentre-example-web-'));
    await cp(EXAMPLE, dir, { recursive: true, filter: copied });
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // `npm run generate`: the typed client's types from the committed openapi.json.
    await writeFile(join(dir, 'src/api.d.ts'), astToString(await openapiTS(pathToFileURL(resolve(ROOT, 'openapi.json')))));
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // CORS_ORIGINS explicitly (not the development defaults): the page's origin only.
    t = await startApp({ PUBLIC_URL: 'http://127.0.0.1', CORS_ORIGINS: origin, ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) });
    await writeFile(join(dir, '.env.local'), `VITE_API_URL=${t.url}\n`);
    user = await register(t.http, { nickname: 'Example Tester' });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Chromium, started by the first test that needs it: in a test, not a hook, so a missing browser fails (never skips). */
  async function launch(): Promise<Browser> {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    return browser;
  }

  it('type-checks with strict tsc against the types generated from openapi.json', async () => {
    const tsc = await exec(join(ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { timeout: 25_000 }).then(
      () => '',
      (err: { stdout?: string; message: string }) => err.stdout || err.message,
    );
    expect(tsc, 'tsc diagnostics').toBe('');
  });

  it('builds with Vite and is served by vite preview', async () => {
    const configFile = join(dir, 'vite.config.ts');
    const output = await build({ root: dir, configFile, logLevel: 'silent' });
    const files = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output.map((f) => f.fileName) : []));
    expect(files).toContain('index.html');
    expect(files.some((f) => /^assets\/index-.+\.js$/.test(f))).toBe(true);

    site = await preview({ root: dir, configFile, logLevel: 'silent', preview: { host: '127.0.0.1', port: Number(new URL(origin).port) } });
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('AuthCentre example frontend');
  });

  it(
    'signs in, shows the user, keeps working past the access token through the refresh loop, and signs out',
    async () => {
      expect(site, 'the site of the previous test').toBeDefined();
      const context = await (await launch()).newContext({ viewport: { width: 900, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      const status = page.locator('#status');
      const activity = page.locator('#log li');

      await page.goto(`${origin}/`);
      await expect.poll(() => status.textContent()).toBe('Not signed in.');
      expect(await page.locator('#signin').isVisible()).toBe(true);
      expect(await page.locator('#account').isVisible()).toBe(false);

      // A wrong password: the service's message, on the page.
      await page.fill('#signin [name=username]', user.username);
      await page.fill('#signin [name=password]', 'not-the-password');
      await page.click('#signin button[type=submit]');
      await expect.poll(() => status.textContent()).toBe('The username or password is wrong.');

      // Sign in, in cookie mode: the body holds no refresh token; the access token's expiry is noted.
      await page.fill('#signin [name=password]', user.password);
      const loginAnswer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.status() === 200);
      await page.click('#signin button[type=submit]');
      const login = (await (await loginAnswer).json()).data;
      expect(login.refresh_token).toBeNull();
      const first = claims(login.access_token);
      expect(first.exp - first.iat).toBe(ACCESS_TOKEN_TTL);
      await expect.poll(() => page.locator('#who').textContent()).toBe(`Example Tester (${user.username})`);
      expect(await status.textContent()).toBe(`Signed in as ${user.username}.`);
      expect(await page.locator('#email').textContent()).toBe(user.email);
      expect(await page.locator('#roles').textContent()).toBe('USER');
      expect(await page.locator('#signin').isVisible()).toBe(false);
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'authcentre_rt')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(cookies.find((c) => c.name === 'authcentre_csrf')).toBeDefined();

      // An authenticated call while the access token is fresh.
      await page.click('#sessions-button');
      await expect.poll(() => page.locator('#sessions-result').textContent()).toMatch(/^You have 1 active session; this one started /);

      // A reload forgets the access token: the refresh cookie brings the session back.
      const refreshAnswer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
      await page.reload();
      const refreshed = await refreshAnswer;
      expect(refreshed.status()).toBe(200);
      const { exp } = claims((await refreshed.json()).data.access_token);
      await expect.poll(() => status.textContent()).toBe(`Signed in as ${user.username}.`);
      expect(await activity.allTextContents()).toEqual([
        expect.stringMatching(/ POST \/api\/v1\/auth\/refresh → 200$/),
        expect.stringMatching(/ refreshed the access token$/),
        expect.stringMatching(/ GET \/api\/v1\/users\/me → 200$/),
      ]);

      // That access token expires too (for real: ACCESS_TOKEN_TTL is short). The next call gets
      // 401 TOKEN_EXPIRED, the page refreshes once from the cookie and repeats the call.
      await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 + 1_500 - Date.now())));
      const before = await activity.count();
      await page.click('#sessions-button');
      await expect.poll(() => status.textContent()).toMatch(/^Sessions loaded at /);
      expect((await activity.allTextContents()).slice(before)).toEqual([
        expect.stringMatching(/ GET \/api\/v1\/users\/me\/sessions → 401 TOKEN_EXPIRED$/),
        expect.stringMatching(/ POST \/api\/v1\/auth\/refresh → 200$/),
        expect.stringMatching(/ refreshed the access token$/),
        expect.stringMatching(/ GET \/api\/v1\/users\/me\/sessions → 200$/),
      ]);
      // Still the one session: a refresh rotates its tokens, it does not start another.
      expect(await page.locator('#sessions-result').textContent()).toMatch(/^You have 1 active session; this one started /);
      expect(await page.locator('#account').isVisible()).toBe(true);

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'signed-in.png'), fullPage: true });

      // Sign out: the session ends at the service, both cookies go, the sign-in form is back.
      await page.click('#logout-button');
      await expect.poll(() => status.textContent()).toBe('Signed out.');
      expect(await page.locator('#signin').isVisible()).toBe(true);
      expect(await page.locator('#account').isVisible()).toBe(false);
      expect((await context.cookies()).filter((c) => c.name.startsWith('authcentre_'))).toEqual([]);
      expect((await activity.allTextContents()).at(-1)).toMatch(/ POST \/api\/v1\/auth\/logout → 200$/);
      await page.screenshot({ path: join(ARTIFACTS, 'signed-out.png'), fullPage: true });
      // And it stays signed out across a reload.
      await page.reload();
      await expect.poll(() => status.textContent()).toBe('Not signed in.');

      expect(problems).toEqual([]);
    },
    (ACCESS_TOKEN_TTL + 40) * 1000,
  );
  it('asks for the second factor of an account that has one, and completes the sign-in with its code', async () => {
    expect(site, 'the site of an earlier test').toBeDefined();
    const u = await registerAndLogin(t.http, { nickname: 'Two Factor' });
    const begun = await t.http.post('/api/v1/users/me/mfa/totp', { password: u.password }, { token: u.access_token });
    const device = new TotpDevice(begun.body.data.secret);
    const confirmed = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: await device.next() }, { token: u.access_token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);

    const context = await (await launch()).newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const status = page.locator('#status');
    await page.goto(`${origin}/`);
    await expect.poll(() => status.textContent()).toBe('Not signed in.');
    await page.fill('#signin [name=username]', u.username);
    await page.fill('#signin [name=password]', u.password);
    await page.click('#signin button[type=submit]');
    await expect.poll(() => status.textContent()).toBe('Enter your second factor.');
    expect(await page.locator('#mfa').isVisible()).toBe(true);
    expect(await page.locator('#signin').isVisible()).toBe(false);
    // No session yet: the password alone gave no tokens and no cookie.
    expect((await context.cookies()).filter((c) => c.name.startsWith('authcentre_'))).toEqual([]);

    await page.fill('#mfa [name=code]', await device.next());
    await page.click('#mfa button[type=submit]');
    await expect.poll(() => status.textContent()).toBe(`Signed in as ${u.username}.`);
    expect(await page.locator('#who').textContent()).toBe(`Two Factor (${u.username})`);
    expect((await context.cookies()).map((c) => c.name)).toEqual(expect.arrayContaining(['authcentre_rt', 'authcentre_csrf']));
    await page.click('#logout-button');
    await expect.poll(() => status.textContent()).toBe('Signed out.');
    expect(problems).toEqual([]);
    await context.close();
  });
});
