import bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/common/cache/kv-store.js';
import { CAPTCHA_STORE } from '../../src/auth/captcha/captcha.store.js';
import { ADMIN, DB, startApp, type TestApp } from '../support/app.js';
import { login, PASSWORD, register, registerAndLogin, stable, uniqueName } from '../support/users.js';

describe(`register and login [${DB}]`, () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_MINUTES: '1' });
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /auth/register', () => {
    it('creates a user with the USER role only, in snake_case, without secrets', async () => {
      const username = uniqueName('Reg');
      const res = await t.http.post('/api/v1/auth/register', {
        username,
        password: PASSWORD,
        email: `${username}@Example.COM`,
        phone: '13800138000',
        nickname: '小明 🚀',
      });
      expect(res.status).toBe(201);
      expect(res.body.code).toBe(0);
      expect(res.body.message).toBe('OK');
      const user = res.body.data;
      expect(user).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username,
        nickname: '小明 🚀',
        email: `${username.toLowerCase()}@example.com`,
        phone: '+8613800138000',
        avatar: null,
        status: 'active',
        email_verified: false,
        mfa_enabled: false,
        roles: [{ id: expect.any(Number), code: 'USER', name: 'User' }],
        last_login_at: null,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });
      expect(res.text).not.toMatch(/hash|argon/i);
      const audit = await ds.query("SELECT actor_id, success FROM audit_logs WHERE action = 'auth.register' AND target_id = ?", [user.id]);
      expect(audit).toHaveLength(1);
    });

    it('rejects mass assignment of roles, status, id and password_hash', async () => {
      for (const extra of [{ roles: ['SUPER_ADMIN'] }, { status: 'active' }, { id: 'x' }, { password_hash: 'x' }, { role_ids: [1] }]) {
        const res = await t.http.post('/api/v1/auth/register', { username: uniqueName(), password: PASSWORD, ...extra });
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('VALIDATION_FAILED');
        expect(res.body.details[0].field).toBe(Object.keys(extra)[0]);
      }
    });

    it('answers 409 for a taken username (case-insensitively), email and phone', async () => {
      const a = await register(t.http, { phone: '+8613900139000' });
      const name = await t.http.post('/api/v1/auth/register', { username: a.username.toUpperCase(), password: PASSWORD });
      expect([name.status, name.body.error]).toEqual([409, 'USERNAME_TAKEN']);
      const email = await t.http.post('/api/v1/auth/register', {
        username: uniqueName(),
        password: PASSWORD,
        email: a.email.toUpperCase(),
      });
      expect([email.status, email.body.error]).toEqual([409, 'EMAIL_TAKEN']);
      const phone = await t.http.post('/api/v1/auth/register', { username: uniqueName(), password: PASSWORD, phone: '13900139000' });
      expect([phone.status, phone.body.error]).toEqual([409, 'PHONE_TAKEN']);
    });

    it('answers 400 WEAK_PASSWORD for every breach of the policy, length included', async () => {
      const username = uniqueName();
      for (const password of ['short1!', 'x'.repeat(129), 'password', 'qwerty123', username]) {
        const res = await t.http.post('/api/v1/auth/register', { username, password });
        expect(res.status, password).toBe(400);
        expect(res.body.error).toBe('WEAK_PASSWORD');
      }
    });

    it('validates the username and the email', async () => {
      for (const body of [
        { username: 'ab', password: PASSWORD },
        { username: "x' OR 1=1 --", password: PASSWORD },
        { username: 'a'.repeat(33), password: PASSWORD },
        { username: uniqueName(), password: PASSWORD, email: 'not-an-email' },
        { username: uniqueName(), password: PASSWORD, phone: '12' },
        { password: PASSWORD },
      ]) {
        const res = await t.http.post('/api/v1/auth/register', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error).toBe('VALIDATION_FAILED');
        expect(res.body.details.length).toBeGreaterThan(0);
      }
    });

    it('is closed with REGISTRATION_ENABLED=false', async () => {
      const closed = await startApp({ REGISTRATION_ENABLED: 'false' });
      try {
        const res = await closed.http.post('/api/v1/auth/register', { username: uniqueName(), password: PASSWORD });
        expect([res.status, res.body.error]).toEqual([403, 'REGISTRATION_DISABLED']);
      } finally {
        await closed.close();
      }
    });
  });

  describe('POST /auth/login', () => {
    it('signs in by username, email or phone and returns a token pair with Me', async () => {
      const u = await register(t.http, { phone: '+8613700137000' });
      for (const name of [u.username, u.username.toUpperCase(), u.email, '13700137000', '+8613700137000']) {
        const res = await t.http.post('/api/v1/auth/login', { username: name, password: u.password });
        expect(res.status, name).toBe(200);
        expect(res.body.data).toMatchObject({
          token_type: 'Bearer',
          expires_in: 900,
          refresh_expires_in: expect.any(Number),
          access_token: expect.any(String),
          refresh_token: expect.any(String),
          user: { id: u.id, username: u.username, permissions: [], roles: [{ code: 'USER' }] },
        });
        expect(res.body.data.user.last_login_at).toMatch(/Z$/);
        // The session's end, counted from the answer's second: 7 days, or a second less across a tick.
        expect(604800 - res.body.data.refresh_expires_in).toBeOneOf([0, 1]);
      }
    });

    it('records last_login_at, and GET /users/me shows the newest login at once', async () => {
      const u = await register(t.http);
      const first = await login(t.http, u.username, u.password);
      const me = await t.http.get('/api/v1/users/me', { token: first.access_token }); // the cache is warm now
      expect(me.body.data.last_login_at).toBe(first.user.last_login_at);
      await new Promise((r) => setTimeout(r, 5));
      const second = await login(t.http, u.username, u.password);
      expect(Date.parse(second.user.last_login_at as string)).toBeGreaterThan(Date.parse(first.user.last_login_at as string));
      const after = await t.http.get('/api/v1/users/me', { token: first.access_token });
      expect(after.body.data.last_login_at).toBe(second.user.last_login_at);
      // The profile is carried over from the cache with the new stamp, not read again: it must
      // be what the database holds, as an administrator reads it.
      const admin = await login(t.http, ADMIN.username, ADMIN.password);
      const stored = await t.http.get(`/api/v1/users/${u.id}`, { token: admin.access_token });
      const { permissions: _, ...profile } = after.body.data;
      expect(profile).toEqual(stored.body.data);
    });

    it('gives the admin every permission code', async () => {
      const data = await login(t.http, ADMIN.username, ADMIN.password);
      expect(data.user.permissions).toEqual([...data.user.permissions].sort());
      expect(data.user.permissions).toContain('audit:read');
      expect(data.user.permissions).toHaveLength(19);
    });

    it('answers an unknown user and a wrong password alike, in comparable time', async () => {
      const u = await register(t.http);
      const time = async (username: string) => {
        const start = performance.now();
        const res = await t.http.post('/api/v1/auth/login', { username, password: 'Wrong-password-123' });
        return { res, ms: performance.now() - start };
      };
      const wrong = await time(u.username);
      const unknown = await time(uniqueName('ghost'));
      expect(stable(wrong.res.body)).toEqual(stable(unknown.res.body));
      expect(wrong.res.status).toBe(401);
      expect(wrong.res.body.error).toBe('INVALID_CREDENTIALS');
      // Both verify one argon2id hash; an unknown name must not answer in a fraction of the time.
      expect(unknown.ms).toBeGreaterThan(wrong.ms / 4);
      await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
    });

    it('reveals a disabled account only after the right password', async () => {
      const u = await register(t.http);
      await ds.query("UPDATE users SET status = 'disabled' WHERE id = ?", [u.id]);
      const wrong = await t.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-123' });
      expect(wrong.body.error).toBe('INVALID_CREDENTIALS');
      const right = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
      expect([right.status, right.body.error]).toEqual([403, 'ACCOUNT_DISABLED']);
    });

    it('locks a name after LOGIN_MAX_FAILURES failures, even for the right password, with Retry-After', async () => {
      const u = await register(t.http);
      for (let i = 0; i < 3; i++) {
        const res = await t.http.post('/api/v1/auth/login', { username: u.username, password: `Wrong-${i}-password` });
        expect(res.body.error).toBe('INVALID_CREDENTIALS');
      }
      const locked = await t.http.post('/api/v1/auth/login', { username: u.username.toUpperCase(), password: u.password });
      expect([locked.status, locked.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
      const retry = Number(locked.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(60);
      const actions = await ds.query("SELECT action FROM audit_logs WHERE action IN ('auth.locked') AND actor_id = ?", [u.id]);
      expect(actions).toHaveLength(1);
    });

    it('locks unknown names the same way, so a lock reveals nothing', async () => {
      const ghost = uniqueName('ghost');
      for (let i = 0; i < 3; i++) await t.http.post('/api/v1/auth/login', { username: ghost, password: 'Wrong-password-1' });
      const res = await t.http.post('/api/v1/auth/login', { username: ghost, password: 'Wrong-password-1' });
      expect([res.status, res.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
    });

    it('resets the failure count after a successful login', async () => {
      const u = await register(t.http);
      for (let i = 0; i < 2; i++) await t.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' });
      await login(t.http, u.username, u.password);
      for (let i = 0; i < 2; i++) await t.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' });
      await login(t.http, u.username, u.password);
    });

    it('verifies legacy bcrypt hashes ($2a$, $2b$, $2y$) and upgrades them to argon2id', async () => {
      for (const prefix of ['$2a$', '$2b$', '$2y$']) {
        const u = await register(t.http);
        const legacy = (await bcrypt.hash(u.password, 4)).replace(/^\$2[ab]\$/, prefix);
        await ds.query('UPDATE users SET password_hash = ? WHERE id = ?', [legacy, u.id]);
        await login(t.http, u.username, u.password);
        const [row] = await ds.query('SELECT password_hash FROM users WHERE id = ?', [u.id]);
        expect(row.password_hash).toMatch(/^\$argon2id\$/);
        await login(t.http, u.username, u.password);
      }
    });

    it('treats SQL-looking and unicode login names as plain text', async () => {
      for (const username of ["admin' --", "' OR '1'='1", 'admin"; DROP TABLE users; --', 'ädmin', '管理员']) {
        const res = await t.http.post('/api/v1/auth/login', { username, password: "' OR '1'='1" });
        expect(res.status, username).toBe(401);
        expect(res.body.error).toBe('INVALID_CREDENTIALS');
      }
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM users');
      expect(Number(n)).toBeGreaterThan(0);
    });

    it('writes audit entries for success and failure with ip and user agent', async () => {
      const u = await registerAndLogin(t.http);
      await t.http.post(
        '/api/v1/auth/login',
        { username: u.username, password: 'Wrong-password-1' },
        { headers: { 'user-agent': 'audit-test/1.0' } },
      );
      const rows = await ds.query('SELECT action, success, ip, user_agent FROM audit_logs WHERE actor_id = ? ORDER BY id', [u.id]);
      expect(rows.map((r: { action: string }) => r.action)).toEqual(['auth.register', 'auth.login.success', 'auth.login.failure']);
      expect(rows[2]).toMatchObject({ ip: '127.0.0.1', user_agent: 'audit-test/1.0' });
      expect(Number(rows[2].success)).toBe(0);
      await login(t.http, u.username, u.password);
    });
  });

  describe('captcha', () => {
    it('is required after CAPTCHA_AFTER_FAILURES failures, single use, and checked', async () => {
      const c = await startApp({ CAPTCHA_AFTER_FAILURES: '2', LOGIN_MAX_FAILURES: '10' });
      try {
        const u = await register(c.http);
        for (let i = 0; i < 2; i++) await c.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' });
        const required = await c.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
        expect([required.status, required.body.error]).toEqual([401, 'CAPTCHA_REQUIRED']);

        const cap = await c.http.get('/api/v1/auth/captcha');
        expect(cap.status).toBe(200);
        expect(cap.body.data).toMatchObject({ captcha_id: expect.any(String), expires_in: 120 });
        expect(cap.body.data.image).toMatch(/^data:image\/svg\+xml/);
        const store = c.app.get<KeyValueStore>(CAPTCHA_STORE);
        const answer = (await store.get(cap.body.data.captcha_id))!;
        expect(answer).toBeTruthy();

        const wrong = await c.http.post('/api/v1/auth/login', {
          username: u.username,
          password: u.password,
          captcha_id: cap.body.data.captcha_id,
          captcha_code: 'zzzzz',
        });
        expect([wrong.status, wrong.body.error]).toEqual([400, 'CAPTCHA_INVALID']);
        // The wrong guess spent it.
        const spent = await c.http.post('/api/v1/auth/login', {
          username: u.username,
          password: u.password,
          captcha_id: cap.body.data.captcha_id,
          captcha_code: answer,
        });
        expect(spent.body.error).toBe('CAPTCHA_INVALID');

        const cap2 = (await c.http.get('/api/v1/auth/captcha')).body.data;
        const ok = await c.http.post('/api/v1/auth/login', {
          username: u.username,
          password: u.password,
          captcha_id: cap2.captcha_id,
          captcha_code: (await store.get(cap2.captcha_id))!.toUpperCase(),
        });
        expect(ok.status).toBe(200);
      } finally {
        await c.close();
      }
    });
  });
});
