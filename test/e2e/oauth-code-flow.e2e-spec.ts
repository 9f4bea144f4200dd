import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/common/cache/kv-store.js';
import { OIDC_KV } from '../../src/oauth/oidc-provider.service.js';
import { CAPTCHA_STORE } from '../../src/auth/captcha/captcha.store.js';
import { Secret, TOTP } from 'otpauth';
import { DB, startIssuer, type TestApp } from '../support/app.js';
import { loginAdmin, userWithRoles } from '../support/admin.js';
import { authorizationRequest, hidden, PageDriver, type Landing } from '../support/hosted-pages.js';
import { discover, refusal, registerClient, type RegisteredClient } from '../support/oauth.js';
import { login, register, type Registered } from '../support/users.js';

/** Redirect URIs nobody listens on: these tests stop at the redirect (the browser test follows it). */
const RP = 'http://127.0.0.1:9';
const WEB_CB = `${RP}/cb/web`;
const SPA_CB = `${RP}/cb/spa`;

/**
 * The authorization code flow without a browser (docs/api.md §9, §10): the refusals a
 * relying party must meet, through openid-client, and the hosted pages driven by fetch with
 * a cookie jar (PageDriver).
 */
describe(`the code flow: protocol [${DB}]`, () => {
  let t: TestApp;
  let issuer: string;
  let web: RegisteredClient;
  let spa: RegisteredClient;
  let webConfig: client.Configuration;
  let spaConfig: client.Configuration;
  let user: Registered;

  beforeAll(async () => {
    t = await startIssuer({ LOGIN_MAX_FAILURES: '5', CAPTCHA_AFTER_FAILURES: '0' });
    issuer = `${t.url}/oauth2`;
    const admin = (await loginAdmin(t.http)).access_token;
    web = await registerClient(t.http, admin, {
      name: 'Web shop',
      type: 'confidential',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [WEB_CB],
      post_logout_redirect_uris: [`${RP}/bye`],
      scopes: ['openid', 'profile', 'email', 'roles', 'offline_access'],
    });
    spa = await registerClient(t.http, admin, {
      name: 'Console',
      type: 'public',
      first_party: true,
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [SPA_CB],
      scopes: ['openid', 'profile', 'email'],
    });
    webConfig = await discover(t.url, web);
    spaConfig = await discover(t.url, spa);
    user = await register(t.http);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Signs `who` in on the hosted page (and allows consent when asked); returns where the browser was sent. */
  async function signIn(driver: PageDriver, url: URL, who: Registered = user): Promise<URL> {
    let page = await driver.go(url.href);
    expect(page.status, page.html.slice(0, 300)).toBe(200);
    page = await driver.submit(page, 'login', { username: who.username, password: who.password });
    if (!page.leftTo) page = await driver.submit(page, 'consent');
    expect(page.leftTo, page.html.slice(0, 400)).toBeDefined();
    return page.leftTo!;
  }

  const errorOf = (landing: Landing) => landing.leftTo?.searchParams.get('error');

  it('signs in on the hosted page and exchanges the code (PKCE S256, state, nonce; RS256 ID token; userinfo by scope)', async () => {
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(webConfig, WEB_CB, { scope: 'openid email' });
    const back = await signIn(driver, req.url);
    expect(back.searchParams.get('state')).toBe(req.state);
    expect(back.searchParams.get('iss')).toBe(issuer);
    const tokens = await client.authorizationCodeGrant(webConfig, back, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
      idTokenExpected: true,
    });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: user.id, aud: web.client_id, iss: issuer, nonce: req.nonce, amr: ['pwd'] });
    // No offline_access asked: no refresh token.
    expect(tokens.refresh_token).toBeUndefined();
    // The access token is the API's (RFC 9068), and it acts as the user.
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: user.id, client_id: web.client_id });
    expect((await t.http.get('/api/v1/users/me', { token: tokens.access_token })).body.data.username).toBe(user.username);
    // Userinfo has the claims of the scopes granted (email), not those of profile.
    const info = await client.fetchUserInfo(webConfig, tokens.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, email: user.email, email_verified: false });
    expect(info.preferred_username).toBeUndefined();
    // The sign-in is audited as at the API door, naming the client.
    const audited: { detail: string | Record<string, unknown> }[] = await t.app
      .get(DataSource)
      .query("SELECT detail FROM audit_logs WHERE action = 'auth.login.success' AND actor_id = ? ORDER BY id", [user.id]);
    const detail = audited.map((r) => (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail)).at(-1);
    expect(detail).toMatchObject({ client_id: web.client_id, hosted_page: true });
  });

  it('refuses a redirect URI that is not registered exactly, on an error page (no redirect)', async () => {
    const driver = new PageDriver(t.url);
    for (const wrong of [`${RP}/cb/other`, `${WEB_CB}/`, `${WEB_CB}?x=1`, 'http://127.0.0.1:10/cb/web']) {
      const req = await authorizationRequest(webConfig, wrong);
      const page = await driver.go(req.url.href);
      expect(page.leftTo).toBeUndefined();
      expect(page.status).toBe(400);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('x-request-id')).toBeTruthy();
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.html).toContain('redirect_uri');
      expect(page.html).not.toMatch(/<script|style=/);
    }
    // The page speaks the browser's language.
    const req = await authorizationRequest(webConfig, `${RP}/cb/other`);
    const zh = await driver.go(req.url.href, undefined, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.html).toContain('应用请求返回到一个未登记的地址');
  });

  it('refuses the plain PKCE method, and a public client without PKCE', async () => {
    const driver = new PageDriver(t.url);
    const plain = await authorizationRequest(spaConfig, SPA_CB, { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
    const a = await driver.go(plain.url.href);
    expect(errorOf(a)).toBe('invalid_request');
    expect(a.leftTo!.searchParams.get('error_description')).toMatch(/code_challenge_method/);
    const none = await authorizationRequest(spaConfig, SPA_CB);
    none.url.searchParams.delete('code_challenge');
    none.url.searchParams.delete('code_challenge_method');
    const b = await driver.go(none.url.href);
    expect(errorOf(b)).toBe('invalid_request');
    expect(b.leftTo!.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses a missing or wrong PKCE verifier', async () => {
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(spaConfig, SPA_CB);
    const back = await signIn(driver, req.url);
    const wrong = await refusal(
      client.authorizationCodeGrant(spaConfig, back, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: req.state }),
    );
    expect(wrong.error).toBe('invalid_grant');
    // Without a verifier (openid-client always sends one: raw form post).
    const req2 = await authorizationRequest(spaConfig, SPA_CB);
    const back2 = (await driver.go(req2.url.href)).leftTo!;
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back2.searchParams.get('code')!,
        redirect_uri: SPA_CB,
        client_id: spa.client_id,
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('a code used twice: the second use fails and revokes what the first issued', async () => {
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(webConfig, WEB_CB, { scope: 'openid profile offline_access', prompt: 'consent' });
    const back = await signIn(driver, req.url);
    const first = await client.authorizationCodeGrant(webConfig, back, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    });
    expect(first.refresh_token).toBeTruthy();
    expect((await t.http.get('/api/v1/users/me', { token: first.access_token })).status).toBe(200);
    const again = await refusal(
      client.authorizationCodeGrant(webConfig, back, {
        pkceCodeVerifier: req.verifier,
        expectedState: req.state,
        expectedNonce: req.nonce,
      }),
    );
    expect(again.error).toBe('invalid_grant');
    expect((await t.http.get('/api/v1/users/me', { token: first.access_token })).body.error).toBe('TOKEN_REVOKED');
    expect((await refusal(client.refreshTokenGrant(webConfig, first.refresh_token!))).error).toBe('invalid_grant');
    expect((await client.tokenIntrospection(webConfig, first.access_token)).active).toBe(false);
  });

  it('an expired code is refused (CODE_TTL 60 s: its stored expiry moved to the past)', async () => {
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(spaConfig, SPA_CB);
    const back = await signIn(driver, req.url);
    const code = back.searchParams.get('code')!;
    const kv = t.app.get<KeyValueStore>(OIDC_KV);
    const stored = JSON.parse((await kv.get(`AuthorizationCode:${code}`))!) as { exp: number; iat: number };
    expect(stored.exp - stored.iat).toBe(60);
    await kv.put(`AuthorizationCode:${code}`, JSON.stringify({ ...stored, iat: stored.iat - 120, exp: stored.exp - 120 }), 60);
    const expired = await refusal(
      client.authorizationCodeGrant(spaConfig, back, { pkceCodeVerifier: req.verifier, expectedState: req.state }),
    );
    expect(expired.error).toBe('invalid_grant');
  });

  it('prompt=none: login_required without a session, a code with one; max_age=0 asks for the password again', async () => {
    const driver = new PageDriver(t.url);
    const none = await authorizationRequest(spaConfig, SPA_CB, { prompt: 'none' });
    const refused = await driver.go(none.url.href);
    expect(errorOf(refused)).toBe('login_required');
    expect(refused.leftTo!.searchParams.get('state')).toBe(none.state);
    await expect(
      client.authorizationCodeGrant(spaConfig, refused.leftTo!, { pkceCodeVerifier: none.verifier, expectedState: none.state }),
    ).rejects.toBeInstanceOf(client.AuthorizationResponseError);

    await signIn(driver, (await authorizationRequest(spaConfig, SPA_CB)).url);
    const silent = await authorizationRequest(spaConfig, SPA_CB, { prompt: 'none' });
    const ok = await driver.go(silent.url.href);
    expect(ok.leftTo!.searchParams.get('code')).toBeTruthy();
    const tokens = await client.authorizationCodeGrant(spaConfig, ok.leftTo!, {
      pkceCodeVerifier: silent.verifier,
      expectedState: silent.state,
      expectedNonce: silent.nonce,
    });
    expect(tokens.claims()!.sub).toBe(user.id);

    // max_age=0 with prompt=none: the session is too old, so login_required; without prompt=none, the sign-in page.
    const aged = await authorizationRequest(spaConfig, SPA_CB, { prompt: 'none', max_age: '0' });
    expect(errorOf(await driver.go(aged.url.href))).toBe('login_required');
    const login = await authorizationRequest(spaConfig, SPA_CB, { prompt: 'login' });
    const page = await driver.go(login.url.href);
    expect(page.status).toBe(200);
    expect(page.html).toContain('name="password"');
  });

  it('the hosted pages: CSRF refused, an unknown or foreign interaction, a cancel', async () => {
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(webConfig, WEB_CB);
    const page = await driver.go(req.url.href);
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; object-src 'none'",
    );
    expect(page.headers.get('cache-control')).toBe('no-store');
    for (const name of ['username', 'password'])
      expect(page.html).toMatch(new RegExp(`<label for="${name}">[^<]+</label>\\s*<input id="${name}" name="${name}"`));
    expect(page.html).toContain('<button type="submit">');
    expect(page.html).toContain('/forgot-password');
    expect(page.html).not.toMatch(/<script|style=/);
    // A wrong CSRF token.
    const action = page.url.replace(/\/?$/, '/login').replace(`${t.url}`, '');
    const forged = await driver.go(`${t.url}${action}`, { csrf: 'x', username: user.username, password: user.password });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('The form has expired');
    // The token of another interaction.
    const other = await new PageDriver(t.url).go((await authorizationRequest(webConfig, WEB_CB)).url.href);
    const crossed = await driver.go(`${t.url}${action}`, {
      csrf: hidden(other.html, 'csrf'),
      username: user.username,
      password: user.password,
    });
    expect(crossed.status).toBe(403);
    // An unknown interaction, and one without its cookie.
    expect((await driver.go(`${issuer}/interaction/nope`)).status).toBe(400);
    expect((await new PageDriver(t.url).go(page.url)).status).toBe(400);
    // Cancel: back to the client with access_denied.
    const cancelled = await driver.submit(page, 'abort');
    expect(errorOf(cancelled)).toBe('access_denied');
    expect(cancelled.leftTo!.searchParams.get('state')).toBe(req.state);
  });

  it('the revocations of §9 end the SSO session: logout everywhere at the API', async () => {
    const driver = new PageDriver(t.url);
    await signIn(driver, (await authorizationRequest(spaConfig, SPA_CB)).url);
    const silent = await authorizationRequest(spaConfig, SPA_CB, { prompt: 'none' });
    expect((await driver.go(silent.url.href)).leftTo!.searchParams.get('code')).toBeTruthy();
    const apiToken = (await login(t.http, user.username, user.password)).access_token;
    expect((await t.http.post('/api/v1/auth/logout', { all_sessions: true }, { token: apiToken })).status).toBe(200);
    const after = await authorizationRequest(spaConfig, SPA_CB, { prompt: 'none' });
    expect(errorOf(await driver.go(after.url.href))).toBe('login_required');
  });

  it('a disabled account is refused on the page, only after the right password', async () => {
    const admin = (await loginAdmin(t.http)).access_token;
    const off = await register(t.http);
    expect((await t.http.patch(`/api/v1/users/${off.id}`, { status: 'disabled' }, { token: admin })).status).toBe(200);
    const driver = new PageDriver(t.url);
    const page = await driver.go((await authorizationRequest(spaConfig, SPA_CB)).url.href);
    const wrong = await driver.submit(page, 'login', { username: off.username, password: 'Not-the-password-9' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('The username or password is wrong.');
    const right = await driver.submit(wrong, 'login', { username: off.username, password: off.password });
    expect(right.status).toBe(403);
    expect(right.html).toContain('This account is disabled.');
  });

  it('speaks the language of ui_locales before Accept-Language', async () => {
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(webConfig, WEB_CB, { ui_locales: 'fr zh-CN' });
    const page = await driver.go(req.url.href, undefined, { 'accept-language': 'en-US,en;q=0.9' });
    expect(page.headers.get('content-language')).toBe('zh-CN');
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toContain('<label for="username">用户名、邮箱或手机号</label>');
    const wrong = await driver.submit(
      page,
      'login',
      { username: user.username, password: 'Not-the-password-2' },
      { 'accept-language': 'en' },
    );
    expect(wrong.html).toContain('用户名或密码错误。');
  });

  it('RP-initiated logout: only a registered post_logout_redirect_uri; back there with state after the confirmation', async () => {
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(webConfig, WEB_CB);
    const back = await signIn(driver, req.url);
    const tokens = await client.authorizationCodeGrant(webConfig, back, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    });
    for (const wrong of [`${RP}/evil`, `${RP}/bye/`, 'https://example.com/bye']) {
      const url = client.buildEndSessionUrl(webConfig, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: wrong, state: 's1' });
      const page = await driver.go(url.href);
      expect(page.leftTo).toBeUndefined();
      expect(page.status).toBe(400);
      expect(page.html).toContain('post_logout_redirect_uri');
    }
    const url = client.buildEndSessionUrl(webConfig, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${RP}/bye`,
      state: 's2',
    });
    const confirm = await driver.go(url.href);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('name="xsrf"');
    // Without the form's xsrf token the provider refuses.
    const forged = await driver.go(`${issuer}/logout/confirm`, { xsrf: 'nope', logout: 'yes' });
    expect(forged.status).toBe(400);
    const out = await driver.go(`${issuer}/logout/confirm`, { xsrf: hidden(confirm.html, 'xsrf'), logout: 'yes' });
    expect(out.leftTo?.href).toBe(`${RP}/bye?state=s2`);
    expect((await t.http.get('/api/v1/users/me', { token: tokens.access_token })).body.error).toBe('TOKEN_REVOKED');
  });

  it('serves the stylesheet the pages link to', async () => {
    const res = await fetch(`${t.url}/assets/pages.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await res.text()).toContain('max-width');
  });
});

/**
 * The hosted pages with a captcha after one failure and a role that must have a second
 * factor (docs/api.md §3, §11): the captcha appears when the name needs one, and a holder
 * of the role enrols on the page, sees the recovery codes once, and goes on.
 */
describe(`the code flow: captcha and forced enrolment on the pages [${DB}]`, () => {
  let t: TestApp;
  let spa: RegisteredClient;
  let spaConfig: client.Configuration;
  let admin: string;

  beforeAll(async () => {
    t = await startIssuer({ LOGIN_MAX_FAILURES: '5', CAPTCHA_AFTER_FAILURES: '1', MFA_REQUIRED_ROLES: 'PAGES_MFA' });
    admin = (await loginAdmin(t.http)).access_token;
    expect((await t.http.post('/api/v1/roles', { code: 'PAGES_MFA', name: 'Must use MFA' }, { token: admin })).status).toBe(201);
    spa = await registerClient(t.http, admin, {
      name: 'Console',
      type: 'public',
      first_party: true,
      grant_types: ['authorization_code'],
      redirect_uris: [SPA_CB],
      scopes: ['openid', 'profile'],
    });
    spaConfig = await discover(t.url, spa);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a captcha once the name needs one, and signs in with its answer', async () => {
    const u = await register(t.http);
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(spaConfig, SPA_CB);
    const page = await driver.go(req.url.href);
    expect(page.html).not.toContain('name="captcha_code"');
    const wrong = await driver.submit(page, 'login', { username: u.username, password: 'Not-the-password-1' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toMatch(/<img src="data:image\/svg\+xml;base64,[^"]+" alt="[^"]+"/);
    expect(wrong.html).toMatch(/<label for="captcha_code">[^<]+<\/label>\s*<input id="captcha_code" name="captcha_code"/);
    // Without the captcha's answer: refused, a new captcha shown.
    const missing = await driver.submit(wrong, 'login', { username: u.username, password: u.password });
    expect(missing.status).toBe(401);
    expect(missing.html).toContain('A captcha is required.');
    // With it (read where the service keeps it, as only the image's reader would know it).
    const captchaId = hidden(missing.html, 'captcha_id');
    const answer = await t.app.get<KeyValueStore>(CAPTCHA_STORE).get(captchaId);
    const done = await driver.submit(missing, 'login', {
      username: u.username,
      password: u.password,
      captcha_id: captchaId,
      captcha_code: answer!,
    });
    expect(done.leftTo?.searchParams.get('code')).toBeTruthy();
  });

  it('a holder of an MFA_REQUIRED_ROLES role enrols on the page, sees the recovery codes once, then signs in', async () => {
    const u = await userWithRoles(t.http, admin, ['PAGES_MFA']);
    const driver = new PageDriver(t.url);
    const req = await authorizationRequest(spaConfig, SPA_CB);
    const page = await driver.go(req.url.href);
    const enrol = await driver.submit(page, 'login', { username: u.username, password: u.password });
    expect(enrol.status).toBe(200);
    expect(enrol.html).toContain('Set up two-step verification');
    expect(enrol.html).toMatch(/<img class="qr" src="data:image\/svg\+xml/);
    const secret = /<span class="secret">([A-Z2-7]+)<\/span>/.exec(enrol.html)![1];
    const codes = await driver.submit(enrol, 'mfa', { code: new TOTP({ secret: Secret.fromBase32(secret) }).generate() });
    expect(codes.status).toBe(200);
    const shown = [...codes.html.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]);
    expect(shown).toHaveLength(10);
    const back = await driver.submit(codes, 'continue');
    const tokens = await client.authorizationCodeGrant(spaConfig, back.leftTo!, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: u.id, amr: ['pwd', 'otp', 'mfa'] });
    expect((await t.http.get('/api/v1/users/me/mfa', { token: tokens.access_token })).body.data).toMatchObject({
      totp_enabled: true,
      recovery_codes_left: 10,
    });
    // The continue step is single use.
    expect((await driver.submit(codes, 'continue')).status).toBe(400);

    // Next time (a new browser): the second-factor page takes a recovery code in the same field, once.
    const again = new PageDriver(t.url);
    const req2 = await authorizationRequest(spaConfig, SPA_CB);
    const factor = await again.submit(await again.go(req2.url.href), 'login', { username: u.username, password: u.password });
    expect(factor.html).toContain('Two-step verification');
    expect(factor.html).toMatch(/<label for="code">[^<]+<\/label>\s*<input id="code" name="code"/);
    const recovered = await again.submit(factor, 'mfa', { code: shown[0] });
    const viaRecovery = await client.authorizationCodeGrant(spaConfig, recovered.leftTo!, {
      pkceCodeVerifier: req2.verifier,
      expectedState: req2.state,
      expectedNonce: req2.nonce,
    });
    expect(viaRecovery.claims()).toMatchObject({ sub: u.id, amr: ['pwd', 'mfa'] });
    // Spent: the same recovery code is refused the next time.
    const third = new PageDriver(t.url);
    const factor3 = await third.submit(await third.go((await authorizationRequest(spaConfig, SPA_CB)).url.href), 'login', {
      username: u.username,
      password: u.password,
    });
    const refused = await third.submit(factor3, 'mfa', { code: shown[0] });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('The verification code is wrong.');
  });
});

describe(`the code flow: cookies behind TLS [${DB}]`, () => {
  let t: TestApp;

  beforeAll(async () => {
    // PUBLIC_URL is https (TLS ends at a proxy); the test talks plain http to the app behind it.
    t = await startIssuer({ PUBLIC_URL: 'https://id.example.test' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sets every cookie of the pages HttpOnly, SameSite=Lax and Secure when PUBLIC_URL is https', async () => {
    const admin = (await loginAdmin(t.http)).access_token;
    const spa = await registerClient(t.http, admin, {
      name: 'Console',
      type: 'public',
      first_party: true,
      grant_types: ['authorization_code'],
      redirect_uris: ['https://console.example.test/cb'],
      scopes: ['openid'],
    });
    const u = await register(t.http);
    // The provider builds its redirects from the Host it was asked at, with https.
    const driver = new PageDriver(t.url, { via: () => t.url, aliases: [t.url.replace('http:', 'https:')] });
    const query = new URLSearchParams({
      client_id: spa.client_id,
      response_type: 'code',
      redirect_uri: 'https://console.example.test/cb',
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const page = await driver.go(`${t.url}/oauth2/authorize?${query.toString()}`);
    expect(page.status).toBe(200);
    const back = await driver.submit(page, 'login', { username: u.username, password: u.password });
    expect(back.leftTo?.searchParams.get('code')).toBeTruthy();
    const all = driver.setCookies;
    expect(all.some((c) => c.startsWith('_interaction='))).toBe(true);
    expect(all.some((c) => c.startsWith('_session='))).toBe(true);
    for (const cookie of all) {
      const attrs = cookie.toLowerCase();
      expect(attrs, cookie).toContain('; secure');
      expect(attrs, cookie).toContain('; httponly');
      expect(attrs, cookie).toContain('; samesite=lax');
    }
  });
});
