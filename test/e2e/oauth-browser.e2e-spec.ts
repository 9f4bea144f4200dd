import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { CAPTCHA_STORE } from '../../src/auth/captcha/captcha.store.js';
import type { KeyValueStore } from '../../src/common/cache/kv-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startIssuer, type TestApp } from '../support/app.js';
import { loginAdmin, userWithRoles } from '../support/admin.js';
import { discover, registerClient, type RegisteredClient } from '../support/oauth.js';
import { RelyingParty } from '../support/relying-party.js';
import { awayFromStepBoundary, PERIOD_MS } from '../support/totp.js';
import { login, register, registerAndLogin, type Registered } from '../support/users.js';
import { CHROMIUM, CHROMIUM_MISSING, CHROMIUM_ARGS } from '../support/chromium.js';

/** Screenshots of every page, for people to look at (gitignored). */
const ARTIFACTS = new URL('../../test-artifacts/hosted-pages/', import.meta.url).pathname;
/** A small phone. */
const PHONE = { width: 360, height: 760 };

/** A screenshot of the whole page, for people to look at. */
const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

/** The page fits a 360 px screen: nothing wider than the viewport. */
async function fitsPhone(page: Page): Promise<void> {
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
}

/**
 * The code flow as a person meets it, in headless Chromium (docs/api.md §9, §10): a relying
 * party on its own port (openid-client v6: PKCE, the callback, the code exchange, ID-token
 * validation, userinfo) sends the browser to the hosted pages; the person signs in, consents
 * and lands back signed in; a second client signs in without a password (SSO); RP-initiated
 * logout ends it. Wrong passwords count toward the lockout, a locked name is refused, a user
 * with TOTP gets the second-factor page. Each page is screenshot at 360 px wide.
 */
describe(`hosted sign-in pages in a browser [${DB}]`, () => {
  let t: TestApp;
  let rp: RelyingParty;
  let web: RegisteredClient;
  let spa: RegisteredClient;
  let browser: Browser | undefined;
  let user: Registered;

  beforeAll(async () => {
    rp = await new RelyingParty().start();
    t = await startIssuer({ LOGIN_MAX_FAILURES: '3', CAPTCHA_AFTER_FAILURES: '0' });
    const admin = (await loginAdmin(t.http)).access_token;
    web = await registerClient(t.http, admin, {
      name: 'Web Shop',
      type: 'confidential',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [rp.redirectUri('web')],
      post_logout_redirect_uris: [rp.postLogoutUri],
      scopes: ['openid', 'profile', 'email', 'roles', 'offline_access'],
    });
    spa = await registerClient(t.http, admin, {
      name: 'Admin Console',
      type: 'public',
      first_party: true,
      grant_types: ['authorization_code'],
      redirect_uris: [rp.redirectUri('spa')],
      post_logout_redirect_uris: [rp.postLogoutUri],
      scopes: ['openid', 'profile', 'email'],
    });
    rp.use('web', await discover(t.url, web));
    rp.use('spa', await discover(t.url, spa));
    user = await register(t.http);
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await rp?.close();
  });

  /** A fresh browser profile (its own cookies) in a phone-sized window; script errors collected. */
  async function newContext(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    // In the test, not in a hook, so a missing browser is a failed test (never a skipped one).
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: PHONE, locale });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    return { context, page, problems };
  }

  async function submitSignIn(page: Page, username: string, password: string) {
    await page.getByLabel('Username, email or phone').fill(username);
    await page.getByLabel('Password').fill(password);
    const answer = page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in' }).click();
    return answer;
  }

  it('signs in and consents, SSO to a second client, RP-initiated logout ends it; consent is remembered', async () => {
    const { page, problems } = await newContext();
    const interactions: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame.url().includes('/oauth2/interaction/')) interactions.push(frame.url());
    });

    // The relying party sends the browser to the sign-in page.
    const first = await page.goto(
      `${rp.origin}/login/web?scope=${encodeURIComponent('openid profile email offline_access')}&prompt=consent`,
    );
    expect(page.url()).toContain(`${t.url}/oauth2/interaction/`);
    const headers = first!.headers();
    expect(headers['x-request-id']).toBeTruthy();
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('to continue to Web Shop').isVisible()).toBe(true);
    // The stylesheet loaded (the CSP allows it): the button is styled.
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('button[type=submit]')).backgroundColor")).toBe(
      'rgb(9, 105, 218)',
    );
    await fitsPhone(page);
    await shot(page, '01-sign-in');

    // A wrong password: the error on the page, the name kept.
    const wrong = await submitSignIn(page, user.username, 'Wrong-password-1');
    expect(wrong.status()).toBe(401);
    expect(await page.getByRole('alert').textContent()).toBe('The username or password is wrong.');
    expect(await page.getByLabel('Username, email or phone').inputValue()).toBe(user.username);
    await shot(page, '02-wrong-password');

    // The right one: the consent page, then back at the relying party, signed in.
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Allow access?' }).isVisible()).toBe(true);
    const consentText = await page.locator('main').textContent();
    expect(consentText).toContain('Web Shop asks to:');
    expect(consentText).toContain('See your email address');
    expect(consentText).toContain('Stay signed in when you are not using it');
    await fitsPhone(page);
    await shot(page, '03-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${rp.origin}/cb/web?**`);
    expect(await page.locator('#who').textContent()).toBe(`Signed in to web as ${user.username}`);
    const webSignIn = rp.signedIn.get('web')!;
    expect(webSignIn.claims).toMatchObject({ sub: user.id, aud: web.client_id, amr: ['pwd'] });
    expect(webSignIn.userinfo).toMatchObject({ sub: user.id, preferred_username: user.username, email: user.email });
    expect(webSignIn.tokens.refresh_token).toBeTruthy();
    // The session cookies: HttpOnly, SameSite=Lax, not Secure on plain-http loopback.
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === '_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/oauth2' });
    for (const cookie of cookies) expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // SSO: the second client (first-party: no consent) signs in without any page.
    interactions.length = 0;
    await page.goto(`${rp.origin}/login/spa`);
    await page.waitForURL(`${rp.origin}/cb/spa?**`);
    expect(await page.locator('#who').textContent()).toBe(`Signed in to spa as ${user.username}`);
    expect(interactions).toEqual([]);
    const spaSignIn = rp.signedIn.get('spa')!;
    expect(spaSignIn.claims.sub).toBe(user.id);
    expect((await t.http.get('/api/v1/users/me', { token: spaSignIn.tokens.access_token })).status).toBe(200);

    // RP-initiated logout: a confirmation page, then back at the relying party.
    await page.goto(`${rp.origin}/logout/web`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign out' }).isVisible()).toBe(true);
    await fitsPhone(page);
    await shot(page, '04-logout');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${rp.origin}/bye?**`);
    expect(await page.locator('#bye').textContent()).toBe('Signed out (state bye-state)');
    // The SSO session is over: its row is revoked, and so is the grant of the client without offline_access.
    const ds = t.app.get(DataSource);
    const sso = await ds.query("SELECT revoked_at FROM sessions WHERE user_id = ? AND kind = 'sso'", [user.id]);
    expect(sso.length).toBeGreaterThan(0);
    for (const row of sso) expect(row.revoked_at).not.toBeNull();
    expect((await t.http.get('/api/v1/users/me', { token: spaSignIn.tokens.access_token })).body.error).toBe('TOKEN_REVOKED');

    // Signing in to the second client now needs the password again.
    interactions.length = 0;
    await page.goto(`${rp.origin}/login/spa`);
    expect(page.url()).toContain('/oauth2/interaction/');
    await submitSignIn(page, user.username, user.password);
    await page.waitForURL(`${rp.origin}/cb/spa?**`);

    // Consent is remembered per user and client: the first client, asked again in a new session, signs in at once.
    interactions.length = 0;
    await page.goto(`${rp.origin}/login/web?scope=${encodeURIComponent('openid profile email')}`);
    await page.waitForURL(`${rp.origin}/cb/web?**`);
    expect(interactions).toEqual([]);
    expect(rp.signedIn.get('web')!.userinfo.email).toBe(user.email);
    expect(rp.errors).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows clear error and sign-out pages', async () => {
    const { page, problems } = await newContext();
    // An authorization request with a redirect URI nobody registered: a page, no redirect.
    const bad = new URL(`${t.url}/oauth2/authorize`);
    bad.search = new URLSearchParams({
      client_id: web.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://127.0.0.1:9/evil',
    }).toString();
    const res = await page.goto(bad.href);
    expect(res!.status()).toBe(400);
    expect(res!.headers()['x-request-id']).toBeTruthy();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('The application asked to return to an address it has not registered.');
    await fitsPhone(page);
    await shot(page, '09-error');
    // Logout without a client: confirmed, then the provider's own "signed out" page.
    const logout = await page.goto(`${t.url}/oauth2/logout`);
    // No session here: still a page with a button, no script submitting a form.
    expect(logout!.headers()['content-security-policy']).not.toMatch(/sha256-|unsafe-inline/);
    expect(await page.locator('script').count()).toBe(0);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Signed out' }).isVisible()).toBe(true);
    expect(await page.getByText('You are signed out.').isVisible()).toBe(true);
    await shot(page, '10-signed-out');
    expect(problems).toEqual([]);
  });

  it('wrong passwords on the page count toward the lockout; a locked name is refused there and at the API; audit names the client', async () => {
    const victim = await register(t.http);
    const { page, problems } = await newContext();
    await page.goto(`${rp.origin}/login/web`);
    for (let i = 0; i < 3; i++) {
      const res = await submitSignIn(page, victim.username, `Wrong-password-${i}`);
      expect(res.status()).toBe(401);
    }
    const locked = await submitSignIn(page, victim.username, victim.password);
    expect(locked.status()).toBe(403);
    expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0);
    expect(await page.getByRole('alert').textContent()).toBe('Too many failed sign-in attempts. Try again in 15 minutes.');
    await fitsPhone(page);
    await shot(page, '05-locked');
    // Every failure is audited with the client that asked.
    const rows: { detail: string | Record<string, unknown> }[] = await t.app
      .get(DataSource)
      .query("SELECT detail FROM audit_logs WHERE action = 'auth.login.failure' AND target_id = ? ORDER BY id", [victim.username]);
    const details = rows.map((r) => (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail));
    expect(details.map((d) => d.reason)).toEqual(['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'locked']);
    for (const d of details) expect(d.client_id).toBe(web.client_id);
    // The same lock at the API door.
    const api = await t.http.post('/api/v1/auth/login', { username: victim.username, password: victim.password });
    expect([api.status, api.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
    expect(problems).toEqual([]);
  });

  it('asks for the second factor of a user with TOTP, in Chinese for a Chinese browser; a wrong code is refused', async () => {
    const mfaUser = await registerAndLogin(t.http);
    const begun = await t.http.post('/api/v1/users/me/mfa/totp', { password: mfaUser.password }, { token: mfaUser.access_token });
    expect(begun.status, JSON.stringify(begun.body)).toBe(200);
    const totp = new TOTP({ secret: Secret.fromBase32(begun.body.data.secret), algorithm: 'SHA1', digits: 6, period: 30 });
    await awayFromStepBoundary();
    const now = Date.now();
    const confirmed = await t.http.post(
      '/api/v1/users/me/mfa/totp/confirm',
      { code: totp.generate({ timestamp: now }) },
      { token: mfaUser.access_token },
    );
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);

    const { page, problems } = await newContext('zh-CN');
    const first = await page.goto(`${rp.origin}/login/spa`);
    expect(first!.headers()['content-language']).toBe('zh-CN');
    await expect.poll(() => page.getByRole('heading', { name: '登录' }).isVisible()).toBe(true);
    await fitsPhone(page);
    await shot(page, '06-sign-in-zh');
    await page.getByLabel('用户名、邮箱或手机号').fill(mfaUser.username);
    await page.getByLabel('密码').fill(mfaUser.password);
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('heading', { name: '两步验证' }).isVisible()).toBe(true);
    await fitsPhone(page);
    await shot(page, '07-second-factor-zh');

    // A code of no nearby time step.
    const near = [-1, 0, 1].map((s) => totp.generate({ timestamp: now + s * PERIOD_MS }));
    const wrongCode = ['000000', '111111', '222222'].find((c) => !near.includes(c))!;
    await page.getByLabel('验证码或恢复码').fill(wrongCode);
    await page.getByRole('button', { name: '验证' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('验证码错误。');
    await shot(page, '08-wrong-code-zh');

    // The next step's code (the one used to confirm is spent).
    await page.getByLabel('验证码或恢复码').fill(totp.generate({ timestamp: now + PERIOD_MS }));
    await page.getByRole('button', { name: '验证' }).click();
    await page.waitForURL(`${rp.origin}/cb/spa?**`);
    expect(rp.signedIn.get('spa')!.claims).toMatchObject({ sub: mfaUser.id, amr: ['pwd', 'otp', 'mfa'] });
    // The wrong code counted as a failure, the right one cleared the count: the API door signs in (with its own challenge).
    const api = await login(t.http, mfaUser.username, mfaUser.password);
    expect((api as unknown as { mfa_required: boolean }).mfa_required).toBe(true);
    expect(problems).toEqual([]);
  });
});

/**
 * The pages that need other settings, in the browser too: the captcha (after one failure) and
 * the forced enrolment of a role in MFA_REQUIRED_ROLES, with its QR code and recovery codes.
 */
describe(`hosted sign-in pages in a browser: captcha and enrolment [${DB}]`, () => {
  let t: TestApp;
  let rp: RelyingParty;
  let browser: Browser | undefined;

  beforeAll(async () => {
    rp = await new RelyingParty().start();
    t = await startIssuer({ LOGIN_MAX_FAILURES: '5', CAPTCHA_AFTER_FAILURES: '1', MFA_REQUIRED_ROLES: 'BROWSER_MFA' });
    const admin = (await loginAdmin(t.http)).access_token;
    expect((await t.http.post('/api/v1/roles', { code: 'BROWSER_MFA', name: 'Must use MFA' }, { token: admin })).status).toBe(201);
    const spa = await registerClient(t.http, admin, {
      name: 'Admin Console',
      type: 'public',
      first_party: true,
      grant_types: ['authorization_code'],
      redirect_uris: [rp.redirectUri('spa')],
      scopes: ['openid', 'profile'],
    });
    rp.use('spa', await discover(t.url, spa));
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await rp?.close();
  });

  it('a captcha once the name needs one; then the enrolment page, the recovery codes once, and back signed in', async () => {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await (await browser.newContext({ viewport: PHONE, locale: 'en-US' })).newPage();
    page.setDefaultTimeout(8_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const admin = (await loginAdmin(t.http)).access_token;
    const u = await userWithRoles(t.http, admin, ['BROWSER_MFA']);

    await page.goto(`${rp.origin}/login/spa`);
    await page.getByLabel('Username, email or phone').fill(u.username);
    await page.getByLabel('Password').fill('Not-the-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The captcha: an image (a data: URL the CSP allows) and its labelled field.
    const image = page.getByRole('img', { name: 'Captcha: type the characters you see' });
    await expect.poll(() => image.isVisible()).toBe(true);
    await expect.poll(() => page.evaluate<number>("document.querySelector('.captcha img').naturalWidth")).toBeGreaterThan(0);
    await fitsPhone(page);
    await shot(page, '11-captcha');
    const captchaId = await page.locator('input[name=captcha_id]').inputValue();
    const answer = await t.app.get<KeyValueStore>(CAPTCHA_STORE).get(captchaId);
    await page.getByLabel('Password').fill(u.password);
    await page.getByLabel('Characters in the image').fill(answer!);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // The forced enrolment: a QR code and the key by hand.
    await expect.poll(() => page.getByRole('heading', { name: 'Set up two-step verification' }).isVisible()).toBe(true);
    const qr = page.getByRole('img', { name: 'QR code of the authenticator secret' });
    await expect.poll(() => qr.isVisible()).toBe(true);
    await expect.poll(() => page.evaluate<number>("document.querySelector('img.qr').naturalWidth")).toBeGreaterThan(0);
    await fitsPhone(page);
    await shot(page, '12-enrolment');
    const secret = (await page.locator('.secret').textContent())!.trim();
    await page.getByLabel('Code from the authenticator app').fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Your recovery codes' }).isVisible()).toBe(true);
    expect(await page.locator('.codes li').count()).toBe(10);
    await fitsPhone(page);
    await shot(page, '13-recovery-codes');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${rp.origin}/cb/spa?**`);
    expect(rp.signedIn.get('spa')!.claims).toMatchObject({ sub: u.id, amr: ['pwd', 'otp', 'mfa'] });
    expect(problems).toEqual([]);
  });
});
