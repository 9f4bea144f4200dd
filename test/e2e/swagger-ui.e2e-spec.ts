import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DB, startApp, type TestApp } from '../support/app.js';
import { registerAndLogin } from '../support/users.js';
import { CHROMIUM, CHROMIUM_MISSING, CHROMIUM_ARGS } from '../support/chromium.js';

/** Kept for a human to look at (test-artifacts/ is gitignored); one per database project, which run in parallel. */
const SCREENSHOT = DB === 'sqlite' ? 'test-artifacts/swagger-ui.png' : `test-artifacts/swagger-ui.${DB}.png`;

/**
 * Swagger UI as a person uses it, in a real headless Chromium, under the app's real
 * Content-Security-Policy: authorize with a token from login through the Authorize
 * dialog, then "Try it out" on GET /api/v1/users/me.
 */
describe(`Swagger UI in a browser [${DB}]`, () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('authorizes with a bearer token and runs GET /users/me with "Try it out": 200 with the username', async () => {
    // In the test, not in a hook, so a missing browser is a failed test (never a skipped
    // one) whose message says how to fix the environment.
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const user = await registerAndLogin(t.http);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    // Fail at the step that breaks, well inside the test's own timeout.
    page.setDefaultTimeout(8_000);
    // Anything the CSP refuses, or a script error, is a broken page even if the steps below pass.
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });

    const docs = await page.goto(`${t.url}/docs`);
    expect(docs?.status()).toBe(200);
    expect(docs?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'AuthCentre API' }).waitFor();

    // The Authorize dialog: the bearer scheme's value field, Authorize, Close.
    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.locator('input[type="text"]').fill(user.access_token);
    await dialog.locator('.auth-btn-wrapper button.authorize').click();
    // Once authorized, the dialog marks the scheme "Authorized" and offers Logout instead.
    await dialog
      .locator('h6')
      .filter({ hasText: /^Authorized$/ })
      .waitFor();
    await dialog.locator('button.btn-done').click();

    // Swagger UI names each block operations-<tag>-<operationId>.
    const op = page.locator('#operations-me-me_get');
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();

    const live = op.locator('.live-responses-table');
    const status = live.locator('.response .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    const body = live.locator('.response-col_description .microlight, .response-col_description pre').first();
    await expect.poll(() => body.textContent()).toContain(`"username": "${user.username}"`);
    // The request Swagger UI sent carries the token from the dialog.
    expect(await op.locator('.curl-command').textContent()).toContain(`Authorization: Bearer ${user.access_token}`);

    await mkdir('test-artifacts', { recursive: true });
    // From the operation's summary line down to the live response: the request and the 200 with its body.
    const top = await op.boundingBox();
    const bottom = await live.boundingBox();
    if (!top || !bottom) throw new Error('the operation block is not on the page');
    await page.screenshot({
      path: SCREENSHOT,
      fullPage: true,
      clip: { x: top.x, y: top.y, width: top.width, height: bottom.y + bottom.height - top.y },
    });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('signs in with "Try it out" on POST /auth/login and then calls GET /users/me with that token, as the page intro says', async () => {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    page.setDefaultTimeout(8_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(`${t.url}/docs`);
    await page.locator('.swagger-ui .info').filter({ hasText: 'Signing in on this page' }).waitFor();

    // The login example holds the two required fields only, and no credential-looking password.
    const login = page.locator('#operations-auth-auth_login');
    await login.locator('.opblock-summary').first().click();
    await login.locator('button.try-out__btn').click();
    const body = login.locator('textarea.body-param__text');
    const example = JSON.parse((await body.inputValue()) || '{}') as Record<string, unknown>;
    expect(Object.keys(example).sort()).toEqual(['password', 'username']);
    await body.fill(JSON.stringify({ username: ADMIN.username, password: ADMIN.password }));
    await login.locator('button.execute').click();
    const loginStatus = login.locator('.live-responses-table .response .response-col_status').first();
    await loginStatus.waitFor();
    expect((await loginStatus.textContent())?.trim()).toBe('200');

    // No Authorize dialog: the page kept the token.
    const me = page.locator('#operations-me-me_get');
    await me.locator('.opblock-summary').first().click();
    await me.locator('button.try-out__btn').click();
    await me.locator('button.execute').click();
    const meStatus = me.locator('.live-responses-table .response .response-col_status').first();
    await meStatus.waitFor();
    expect((await meStatus.textContent())?.trim()).toBe('200');
    expect(await me.locator('.curl-command').textContent()).toMatch(/Authorization: Bearer ey/);

    // GET /users starts with no filter filled in (a role filter would show a fresh admin an empty list).
    const users = page.locator('#operations-users-users_list');
    await users.locator('.opblock-summary').first().click();
    await users.locator('button.try-out__btn').click();
    const role = users.locator('tr[data-param-name="role"] input');
    expect(await role.inputValue()).toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });
});
