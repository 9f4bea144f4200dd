import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { startSmtp, type SmtpHandle } from '../support/smtp.js';
import { login, register, registerAndLogin, stable, uniqueName } from '../support/users.js';

const NEW_PASSWORD = 'Brand-new-passphrase-42';

describe(`forgot / verify / reset password over real SMTP [${DB}]`, () => {
  let t: TestApp;
  let smtp: SmtpHandle;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startApp({
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
      APP_PUBLIC_URL: 'https://id.example.com',
      LOGIN_MAX_FAILURES: '2',
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  const tokenFrom = async (to: string) => {
    // The reset mail, not the verification mail that registration sent to the same address.
    const mail = await smtp.waitFor((m) => m.to.includes(to) && m.text.includes('reset-password?token='));
    const match = /reset-password\?token=([A-Za-z0-9_-]{43,})/.exec(mail.text);
    expect(match, mail.text).not.toBeNull();
    return { mail, token: match![1] };
  };

  it('answers the same for a known and an unknown email, and mails the known one a link', async () => {
    const u = await registerAndLogin(t.http);
    const known = await t.http.post('/api/v1/auth/password/forgot', { email: u.email.toUpperCase() });
    const unknown = await t.http.post('/api/v1/auth/password/forgot', { email: `${uniqueName('nobody')}@example.com` });
    expect(known.status).toBe(202);
    expect(known.body).toEqual({ code: 0, message: 'OK', data: null });
    expect(unknown.status).toBe(202);
    expect(stable(unknown.body)).toEqual(stable(known.body));
    const { mail, token } = await tokenFrom(u.email);
    expect(mail.text).toContain('https://id.example.com/reset-password?token=');
    expect(mail.text).toContain(token);

    // The token is stored hashed, never as itself.
    const rows = await t.app
      .get(DataSource)
      .query("SELECT token_hash FROM user_tokens WHERE user_id = ? AND purpose = 'password_reset'", [u.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(token);
  });

  it('verifies, resets once, revokes every session and clears the lockout', async () => {
    const u = await registerAndLogin(t.http);
    for (let i = 0; i < 2; i++) await t.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' });
    expect((await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).body.error).toBe('ACCOUNT_LOCKED');

    await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
    const { token } = await tokenFrom(u.email);

    const verify = await t.http.get('/api/v1/auth/password/reset/verify', { query: { token } });
    expect(verify.status).toBe(200);
    expect(verify.body.data).toEqual({ valid: true, expires_at: expect.stringMatching(/Z$/) });
    const ttl = new Date(verify.body.data.expires_at).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);

    const weak = await t.http.post('/api/v1/auth/password/reset', { token, new_password: 'password' });
    expect([weak.status, weak.body.error]).toEqual([400, 'WEAK_PASSWORD']);

    const reset = await t.http.post('/api/v1/auth/password/reset', { token, new_password: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.error).toBe('TOKEN_REVOKED');
    await login(t.http, u.username, NEW_PASSWORD);

    const again = await t.http.post('/api/v1/auth/password/reset', { token, new_password: 'Yet-another-passphrase-7' });
    expect([again.status, again.body.error]).toEqual([400, 'INVALID_RESET_TOKEN']);
    expect((await t.http.get('/api/v1/auth/password/reset/verify', { query: { token } })).body.error).toBe('INVALID_RESET_TOKEN');
  });

  it('clears a lockout on every name the user signs in with, the national phone form too', async () => {
    const national = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const u = await register(t.http, { phone: `+86${national}` });
    for (let i = 0; i < 2; i++) await t.http.post('/api/v1/auth/login', { username: national, password: 'Wrong-password-1' });
    expect((await t.http.post('/api/v1/auth/login', { username: national, password: u.password })).body.error).toBe('ACCOUNT_LOCKED');

    await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
    const { token } = await tokenFrom(u.email);
    expect((await t.http.post('/api/v1/auth/password/reset', { token, new_password: NEW_PASSWORD })).status).toBe(200);
    await login(t.http, national, NEW_PASSWORD);
  });

  it('lets a newer token supersede an older one, and refuses junk', async () => {
    const u = await registerAndLogin(t.http);
    await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
    const first = await tokenFrom(u.email);
    smtp.messages.length = 0;
    await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
    const second = await tokenFrom(u.email);
    expect(second.token).not.toBe(first.token);
    expect((await t.http.get('/api/v1/auth/password/reset/verify', { query: { token: first.token } })).body.error).toBe(
      'INVALID_RESET_TOKEN',
    );
    expect((await t.http.get('/api/v1/auth/password/reset/verify', { query: { token: second.token } })).status).toBe(200);
    expect((await t.http.get('/api/v1/auth/password/reset/verify', { query: { token: 'junk' } })).body.error).toBe('INVALID_RESET_TOKEN');
    expect((await t.http.get('/api/v1/auth/password/reset/verify')).body.error).toBe('VALIDATION_FAILED');
  });

  it('answers 404 when the user was deleted since', async () => {
    const u = await registerAndLogin(t.http);
    await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
    const { token } = await tokenFrom(u.email);
    await t.app
      .get(DataSource)
      .query('UPDATE users SET deleted_at = ?, username_key = NULL, email_key = NULL WHERE id = ?', ['2026-01-01 00:00:00', u.id]);
    const res = await t.http.post('/api/v1/auth/password/reset', { token, new_password: NEW_PASSWORD });
    expect([res.status, res.body.error]).toEqual([404, 'NOT_FOUND']);
  });
});

describe(`mail to the outbox folder (MAIL_TRANSPORT=file) [${DB}]`, () => {
  it('writes each mail as JSON { to, subject, text, html, sent_at }', async () => {
    const t = await startApp({ MAIL_TRANSPORT: 'file' });
    try {
      const u = await registerAndLogin(t.http);
      await t.http.post('/api/v1/auth/password/forgot', { email: u.email }, { headers: { 'accept-language': 'zh-CN' } });
      const dir = t.config.mail.outboxDir;
      const read = async () => {
        const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
        return Promise.all(names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8'))));
      };
      // Registration mailed a verification link; the reset mail comes after the 202.
      let mails = await read();
      for (let i = 0; i < 50 && mails.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
        mails = await read();
      }
      expect(mails).toHaveLength(2);
      for (const mail of mails) {
        expect(mail).toEqual({
          to: u.email,
          subject: expect.any(String),
          text: expect.any(String),
          html: expect.any(String),
          sent_at: expect.any(String),
        });
      }
      expect(mails.map((m) => /(reset-password|verify-email)\?token=/.exec(m.text)?.[1]).sort()).toEqual([
        'reset-password',
        'verify-email',
      ]);
      // Accept-Language of the forgot request: the reset mail is in Chinese.
      expect(mails.find((m) => m.text.includes('reset-password')).subject).toBe('重置您的密码');
    } finally {
      await t.close();
    }
  });
});
