import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startIssuer, type TestApp } from '../support/app.js';
import { startSmtp, type SmtpHandle } from '../support/smtp.js';
import { login, register, uniqueName } from '../support/users.js';
import { CHROMIUM, CHROMIUM_MISSING, CHROMIUM_ARGS } from '../support/chromium.js';

const SHOTS = `test-artifacts/account-pages${DB === 'sqlite' ? '' : `.${DB}`}`;
const NEW_PASSWORD = 'Lantern-orbit-plum-2026';

/**
 * The pages that mailed links open (docs/api.md §3, §12), with no frontend: the mails go
 * through a real SMTP server, and the links are followed in a real headless Chromium at 360 px
 * under the pages' own Content-Security-Policy (nothing inline may run).
 */
describe(`account pages: /forgot-password, /reset-password, /verify-email [${DB}]`, () => {
  let t: TestApp;
  let smtp: SmtpHandle;
  let browser: Browser | undefined;

  beforeAll(async () => {
    smtp = await startSmtp();
    // APP_PUBLIC_URL is left unset: the mailed links point at the service's own pages.
    t = await startIssuer({ MAIL_TRANSPORT: 'smtp', SMTP_URL: smtp.url, EMAIL_VERIFICATION: 'send' });
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.stop();
  });

  async function newPage(locale = 'en-US'): Promise<{ page: Page; problems: string[] }> {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    // A refused inline script or style (CSP) is a console error; the 400 pages and the favicon's 404 are not problems.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`);
    });
    return { page, problems };
  }

  const linkIn = async (to: string, path: string): Promise<string> => {
    const mail = await smtp.waitFor((m) => m.to.includes(to) && m.text.includes(`${path}?token=`));
    const match = new RegExp(`(\\S+${path}\\?token=[A-Za-z0-9_-]{43,})`).exec(mail.text);
    expect(match, mail.text).not.toBeNull();
    return match![1];
  };

  it('resets a forgotten password from the mailed link in Chromium: ask, mismatch, weak, done; the new password signs in', async () => {
    const user = await register(t.http);
    const { page, problems } = await newPage();

    // Ask for a link on the page.
    await page.goto(`${t.url}/forgot-password`);
    await page.getByLabel('Email address').fill(user.email);
    await page.screenshot({ path: `${SHOTS}/forgot-password.png`, fullPage: true });
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    // The mail points at this service's own page.
    const link = await linkIn(user.email, '/reset-password');
    expect(link.startsWith(`${t.url}/reset-password?token=`)).toBe(true);
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(opened?.headers()['x-request-id']).toBeTruthy();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/reset-password.png`, fullPage: true });

    // Two different passwords: said so, nothing changed.
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(`${NEW_PASSWORD}x`);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('not the same');

    // The policy of the API holds: the username as the password is refused, with the reason.
    await page.getByLabel('New password', { exact: true }).fill(user.username);
    await page.getByLabel('Repeat the new password').fill(user.username);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await expect
      .poll(() => page.locator('.alert').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining('too weak')]));
    await page.screenshot({ path: `${SHOTS}/reset-password-weak.png`, fullPage: true });

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Your password has been changed' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/reset-password-done.png`, fullPage: true });

    expect((await login(t.http, user.username, NEW_PASSWORD)).access_token).toBeTruthy();
    const old = await t.http.post('/api/v1/auth/login', { username: user.username, password: user.password });
    expect(old.status).toBe(401);

    // The link was single use.
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe('/forgot-password');
    expect(problems).toEqual([]);
  });

  it('confirms an email address from the mailed link in Chromium, in Chinese; opening the link alone changes nothing', async () => {
    const user = await register(t.http, { email: `${uniqueName('v').toLowerCase()}@example.com` });
    const link = await linkIn(user.email, '/verify-email');
    const { access_token } = await login(t.http, user.username, user.password);
    const verified = async () => (await t.http.get('/api/v1/users/me', { token: access_token })).body.data.email_verified as boolean;

    // A mail scanner that follows the link verifies nothing.
    const scanned = await fetch(link);
    expect(scanned.status).toBe(200);
    expect(await verified()).toBe(false);

    const { page, problems } = await newPage('zh-CN');
    const opened = await page.goto(link);
    expect(opened?.headers()['content-language']).toBe('zh-CN');
    await page.getByRole('heading', { name: '确认邮箱地址' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/verify-email.zh-CN.png`, fullPage: true });
    await page.getByRole('button', { name: '确认我的邮箱地址' }).click();
    await page.getByRole('heading', { name: '邮箱地址已确认' }).waitFor();
    expect(await verified()).toBe(true);

    // Spent: a second use is refused on the page.
    await page.goto(link);
    await page.getByRole('button', { name: '确认我的邮箱地址' }).click();
    await page.getByRole('heading', { name: '此链接无法使用' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('refuses what is not a real form of its own with a page, never a 5xx: no token, a bad token, no CSRF token, JSON', async () => {
    const noToken = await fetch(`${t.url}/reset-password`);
    expect(noToken.status).toBe(400);
    expect(noToken.headers.get('x-request-id')).toBeTruthy();
    expect(noToken.headers.get('content-type')).toContain('text/html');
    const html = await noToken.text();
    expect(html).not.toMatch(/<script|style=/i);
    expect(html).toContain('incomplete');

    const bogus = await fetch(`${t.url}/reset-password?token=${'A'.repeat(43)}`);
    expect(bogus.status).toBe(400);
    expect(await bogus.text()).toContain('invalid or has expired');

    // A form posted from elsewhere (no CSRF token of ours) changes nothing.
    const user = await register(t.http);
    await t.http.post('/api/v1/auth/password/forgot', { email: user.email });
    const token = new URL(await linkIn(user.email, '/reset-password')).searchParams.get('token')!;
    const forged = await fetch(`${t.url}/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }),
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('The form has expired');
    const json = await fetch(`${t.url}/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }),
    });
    expect(json.status).toBe(400);
    const big = await fetch(`${t.url}/forgot-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${'a'.repeat(40_000)}`,
    });
    expect(big.status).toBeGreaterThanOrEqual(400);
    expect(big.status).toBeLessThan(500);
    expect(big.headers.get('x-request-id')).toBeTruthy();

    // The token still works: none of the above spent it, and the old password still signs in.
    expect((await t.http.get(`/api/v1/auth/password/reset/verify?token=${token}`)).status).toBe(200);
    expect((await login(t.http, user.username, user.password)).access_token).toBeTruthy();
  });
});
