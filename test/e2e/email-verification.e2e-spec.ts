import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAdmin, createUser } from '../support/admin.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import { startSmtp, type ReceivedMail, type SmtpHandle } from '../support/smtp.js';
import { login, register, registerAndLogin, stable, uniqueName } from '../support/users.js';

const LINK = /https:\/\/app\.example\.com\/verify-email\?token=([A-Za-z0-9_-]{43,})/;

/** Waits for a verification mail to `to` whose token is not among `seen`; returns it and its token. */
async function verificationMail(smtp: SmtpHandle, to: string, seen: string[] = []): Promise<{ mail: ReceivedMail; token: string }> {
  const mail = await smtp.waitFor((m) => m.to.includes(to) && LINK.test(m.text) && !seen.includes(LINK.exec(m.text)![1]));
  return { mail, token: LINK.exec(mail.text)![1] };
}

describe(`email verification over real SMTP [${DB}]`, () => {
  let t: TestApp;
  let smtp: SmtpHandle;

  beforeAll(async () => {
    smtp = await startSmtp();
    // EMAIL_VERIFICATION is left at its default, send.
    t = await startApp({ MAIL_TRANSPORT: 'smtp', SMTP_URL: smtp.url, APP_PUBLIC_URL: 'https://app.example.com' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  const verify = (token: unknown) => t.http.post('/api/v1/auth/email/verify', { token });
  const me = async (token: string) => (await t.http.get('/api/v1/users/me', { token })).body.data;

  it('registration mails a single-use link; verifying it sets email_verified: true, once, with an audit entry', async () => {
    const u = await registerAndLogin(t.http);
    const { mail, token } = await verificationMail(smtp, u.email);
    expect(mail.subject).toBe('Verify your email address');
    expect(mail.raw).toMatch(/multipart\/alternative/i);
    expect(mail.text).toContain(`href="https://app.example.com/verify-email?token=${token}"`);
    expect(mail.text).toContain('expires in 24 hours');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    // Stored only as its digest.
    const rows = await t.app
      .get(DataSource)
      .query("SELECT token_hash FROM user_tokens WHERE user_id = ? AND purpose = 'verify_email'", [u.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(token);

    expect((await me(u.access_token)).email_verified).toBe(false);
    const res = await verify(token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 0, message: 'OK', data: null });
    expect(await me(u.access_token)).toMatchObject({ email: u.email, email_verified: true });

    const again = await verify(token);
    expect([again.status, again.body.error]).toEqual([400, 'INVALID_VERIFY_TOKEN']);

    const admin = await loginAdmin(t.http);
    const audit = await t.http.get('/api/v1/audit-logs', {
      token: admin.access_token,
      query: { action: 'user.email.verify', target_id: u.id },
    });
    expect(audit.body.data.items).toHaveLength(1);
    expect(audit.body.data.items[0]).toMatchObject({ actor_id: u.id, target_type: 'user', success: true, detail: { email: u.email } });
  });

  it('refuses an expired, unknown or malformed token', async () => {
    const u = await registerAndLogin(t.http);
    const { token } = await verificationMail(smtp, u.email);
    await t.app
      .get(DataSource)
      .query("UPDATE user_tokens SET expires_at = ? WHERE user_id = ? AND purpose = 'verify_email'", ['2020-01-01 00:00:00', u.id]);
    const expired = await verify(token);
    expect([expired.status, expired.body.error]).toEqual([400, 'INVALID_VERIFY_TOKEN']);
    expect((await me(u.access_token)).email_verified).toBe(false);

    const unknown = await verify('A'.repeat(43));
    expect([unknown.status, unknown.body.error]).toEqual([400, 'INVALID_VERIFY_TOKEN']);
    expect(stable(unknown.body)).toEqual(stable(expired.body));
    for (const body of [{}, { token: '' }, { token: 42 }, { token: 'x', extra: 1 }]) {
      const res = await t.http.post('/api/v1/auth/email/verify', body);
      expect([res.status, res.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('writes the mail in the language of the request', async () => {
    const name = uniqueName('zh');
    const res = await t.http.post(
      '/api/v1/auth/register',
      { username: name, password: 'Tr0ub4dor&3-horse-staple', email: `${name}@example.com` },
      { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } },
    );
    expect(res.status).toBe(201);
    const { mail, token } = await verificationMail(smtp, `${name}@example.com`);
    expect(mail.subject).toBe('验证您的邮箱地址');
    expect(mail.text).toContain(`https://app.example.com/verify-email?token=${token}`);
  });

  it('an email change un-verifies the address and mails the new one; links to an old address stop working', async () => {
    const u = await registerAndLogin(t.http);
    const first = await verificationMail(smtp, u.email);
    expect((await verify(first.token)).status).toBe(200);
    expect((await me(u.access_token)).email_verified).toBe(true);

    const moved = `${uniqueName('moved')}@example.com`;
    const changed = await t.http.patch('/api/v1/users/me', { email: moved, current_password: u.password }, { token: u.access_token });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ email: moved, email_verified: false });
    const second = await verificationMail(smtp, moved);
    // The old address hears of the change (docs/api.md §4) and gets no link.
    await smtp.waitFor((m) => m.to.includes(u.email) && m.text.includes(moved));

    // Changed again before verifying: the pending link to the previous address dies.
    const again = `${uniqueName('again')}@example.com`;
    expect((await t.http.patch('/api/v1/users/me', { email: again, current_password: u.password }, { token: u.access_token })).status).toBe(
      200,
    );
    const third = await verificationMail(smtp, again);
    expect((await verify(second.token)).body.error).toBe('INVALID_VERIFY_TOKEN');
    expect((await verify(third.token)).status).toBe(200);
    expect(await me(u.access_token)).toMatchObject({ email: again, email_verified: true });
  });

  it('an administrator creating a user with an email, or changing it, mails the link too', async () => {
    const admin = await loginAdmin(t.http);
    const created = await createUser(t.http, admin.access_token);
    const first = await verificationMail(smtp, created.email);
    const changedTo = `${uniqueName('adm')}@example.com`;
    const patch = await t.http.patch(`/api/v1/users/${created.id}`, { email: changedTo }, { token: admin.access_token });
    expect(patch.body.data).toMatchObject({ email: changedTo, email_verified: false });
    const second = await verificationMail(smtp, changedTo);
    expect((await verify(first.token)).body.error).toBe('INVALID_VERIFY_TOKEN');
    expect((await verify(second.token)).status).toBe(200);
    const user = await t.http.get(`/api/v1/users/${created.id}`, { token: admin.access_token });
    expect(user.body.data).toMatchObject({ email: changedTo, email_verified: true });
  });

  it('sends the link again on request, 3 an hour; earlier links stay good; nothing once verified', async () => {
    const u = await registerAndLogin(t.http);
    const seen = [(await verificationMail(smtp, u.email)).token];
    const resend = () => t.http.post('/api/v1/users/me/email/verification', undefined, { token: u.access_token });
    for (let i = 0; i < 3; i++) {
      const res = await resend();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toBeNull();
      seen.push((await verificationMail(smtp, u.email, seen)).token);
    }
    const limited = await resend();
    expect([limited.status, limited.body.error]).toEqual([429, 'RATE_LIMITED']);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(new Set(seen).size).toBe(4);

    // The first link still works; using it retires the others.
    expect((await verify(seen[0])).status).toBe(200);
    for (const token of seen.slice(1)) expect((await verify(token)).body.error).toBe('INVALID_VERIFY_TOKEN');
    // Verified: nothing to send, and no error.
    expect((await resend()).status).toBe(200);

    // Without an email there is nothing to verify; another user's limit is their own.
    const noEmail = await registerAndLogin(t.http, { email: undefined });
    const none = await t.http.post('/api/v1/users/me/email/verification', undefined, { token: noEmail.access_token });
    expect([none.status, none.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await t.http.post('/api/v1/users/me/email/verification')).body.error).toBe('UNAUTHENTICATED');
  });
});

describe(`EMAIL_VERIFICATION=require [${DB}]`, () => {
  let t: TestApp;
  let smtp: SmtpHandle;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startApp({
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
      APP_PUBLIC_URL: 'https://app.example.com',
      EMAIL_VERIFICATION: 'require',
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('refuses sign-in with an unverified email after the right password only, with a new link; verified, it signs in', async () => {
    const u = await register(t.http);
    const first = await verificationMail(smtp, u.email);
    const wrong = await t.http.post('/api/v1/auth/login', { username: u.username, password: 'Not-the-password-1' });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'INVALID_CREDENTIALS']);
    const refused = await t.http.post('/api/v1/auth/login', { username: u.email, password: u.password });
    expect([refused.status, refused.body.error]).toEqual([403, 'EMAIL_NOT_VERIFIED']);
    expect(refused.body.data).toBeUndefined();
    // A user whose mail was lost is not stuck: the refused sign-in mailed a new link; both work.
    const reminder = await verificationMail(smtp, u.email, [first.token]);
    expect(reminder.token).not.toBe(first.token);

    expect((await t.http.post('/api/v1/auth/email/verify', { token: reminder.token })).status).toBe(200);
    const ok = await login(t.http, u.username, u.password);
    expect(ok.user).toMatchObject({ email: u.email, email_verified: true });

    // Accounts without an email, like this administrator, sign in as before.
    const admin = await loginAdmin(t.http);
    const plain = await createUser(t.http, admin.access_token, { email: null });
    expect((await login(t.http, plain.username, plain.password)).user.email).toBeNull();
  });

  it('mails reset links only to verified addresses; /password/forgot answers alike', async () => {
    const u = await register(t.http);
    const { token } = await verificationMail(smtp, u.email);
    const unverified = await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
    const unknown = await t.http.post('/api/v1/auth/password/forgot', { email: `${uniqueName('nobody')}@example.com` });
    expect(unverified.status).toBe(202);
    expect(stable(unverified.body)).toEqual(stable(unknown.body));

    expect((await t.http.post('/api/v1/auth/email/verify', { token })).status).toBe(200);
    expect((await t.http.post('/api/v1/auth/password/forgot', { email: u.email })).status).toBe(202);
    await smtp.waitFor((m) => m.to.includes(u.email) && m.text.includes('reset-password?token='));
    // One reset link: the one asked for once the address was verified.
    const resets = await t.app.get(DataSource).query("SELECT id FROM user_tokens WHERE user_id = ? AND purpose = 'password_reset'", [u.id]);
    expect(resets).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.to.includes(u.email) && m.text.includes('reset-password?token='))).toHaveLength(1);
  });
});

describe(`EMAIL_VERIFICATION=off [${DB}]`, () => {
  it('mails no link, and POST /users/me/email/verification is 404', async () => {
    const t = await startApp({ EMAIL_VERIFICATION: 'off' });
    try {
      const u = await registerAndLogin(t.http);
      // The link would have been made inside the registration's transaction: there is none.
      const rows = await t.app.get(DataSource).query('SELECT id FROM user_tokens WHERE user_id = ?', [u.id]);
      expect(rows).toEqual([]);
      const res = await t.http.post('/api/v1/users/me/email/verification', undefined, { token: u.access_token });
      expect([res.status, res.body.error]).toEqual([404, 'NOT_FOUND']);
    } finally {
      await t.close();
    }
  });
});
