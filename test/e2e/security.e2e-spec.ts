import { randomBytes, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccess, signRefresh } from '../support/tokens.js';
import { baseEnv, createTestDatabase, DB, startApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/ports.js';
import { spawnServer, waitForOk } from '../support/process.js';
import { startSmtp, type SmtpHandle } from '../support/smtp.js';
import { login, register, registerAndLogin, uniqueName } from '../support/users.js';

/**
 * Regression tests of the security review (issue 13): each finding, reproduced against the
 * real app, and refused. docs/api.md §3, §4 and §7 state the rules.
 */
describe(`security review [${DB}]`, () => {
  let t: TestApp;
  let smtp: SmtpHandle;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startApp({ LOGIN_MAX_FAILURES: '3', MAIL_TRANSPORT: 'smtp', SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  const loginAs = (username: string, password: string) => t.http.post('/api/v1/auth/login', { username, password });
  const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  describe('lockout (high 1): every spelling of a phone and every name of one account share one lock', () => {
    it('counts 13800138000, "138 0013 8000" and "1-3-8-0-0-1-3-8-0-0-0" as one name', async () => {
      const national = phone();
      const u = await register(t.http, { phone: national });
      const spaced = `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
      const hyphens = national.split('').join('-');
      for (const spelling of [national, spaced, hyphens]) {
        const res = await loginAs(spelling, 'Wrong-password-1');
        expect([res.status, res.body.error]).toEqual([401, 'INVALID_CREDENTIALS']);
      }
      // The limit is reached: the right password, under yet another spelling, is refused.
      for (const spelling of [`+86 ${spaced}`, `+86${national}`, national]) {
        const res = await loginAs(spelling, u.password);
        expect([res.status, res.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
      }
    });

    it('counts the username, the email and the phone of one account together', async () => {
      const national = phone();
      const u = await register(t.http, { phone: national });
      expect((await loginAs(u.username, 'Wrong-password-1')).status).toBe(401);
      expect((await loginAs(u.email.toUpperCase(), 'Wrong-password-1')).status).toBe(401);
      expect((await loginAs(national, 'Wrong-password-1')).status).toBe(401);
      const res = await loginAs(u.username, u.password);
      expect([res.status, res.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      // The administrator sees it under any of the names.
      const admin = await login(t.http, 'admin', baseEnv(t.db).ADMIN_PASSWORD);
      const status = await t.http.get('/api/v1/users/login-status', { token: admin.access_token, query: { username: national } });
      expect(status.body.data).toMatchObject({ username: national, failed_attempts: 3, locked: true });
    });

    it('still locks names that denote no account, the same way, so a lock reveals nothing', async () => {
      const ghost = `1${phone().slice(1)}`;
      for (const spelling of [ghost, ghost.split('').join(' '), ghost.split('').join('-')]) {
        expect((await loginAs(spelling, 'Wrong-password-1')).status).toBe(401);
      }
      expect((await loginAs(ghost, 'Wrong-password-1')).body.error).toBe('ACCOUNT_LOCKED');
    });
  });

  describe('account takeover through an email change (medium 3)', () => {
    it('needs current_password for an email or phone change; a wrong one counts towards the lock', async () => {
      const u = await registerAndLogin(t.http);
      const token = u.access_token;
      const missing = await t.http.patch('/api/v1/users/me', { email: 'attacker@evil.example' }, { token });
      expect([missing.status, missing.body.error]).toEqual([400, 'WRONG_PASSWORD']);
      const wrong = await t.http.patch('/api/v1/users/me', { phone: phone(), current_password: 'not-it-at-all' }, { token });
      expect([wrong.status, wrong.body.error]).toEqual([400, 'WRONG_PASSWORD']);
      // Nickname and avatar need no password.
      expect((await t.http.patch('/api/v1/users/me', { nickname: 'Nick' }, { token })).status).toBe(200);
      const me = await t.http.get('/api/v1/users/me', { token });
      expect(me.body.data).toMatchObject({ email: u.email, nickname: 'Nick' });
      // A missing password is no guess; one wrong so far (of 3). Two more lock the account.
      for (const guess of ['again-wrong', 'still-wrong']) {
        await t.http.patch('/api/v1/users/me', { email: 'attacker@evil.example', current_password: guess }, { token });
      }
      expect((await loginAs(u.username, u.password)).body.error).toBe('ACCOUNT_LOCKED');
    });

    it('tells the old address, and cancels pending reset links; the chain to a takeover is broken', async () => {
      const u = await registerAndLogin(t.http);
      await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
      const resetMail = await smtp.waitFor((m) => m.to.includes(u.email) && /reset-password\?token=/.test(m.text));
      const resetToken = /token=([A-Za-z0-9_-]+)/.exec(resetMail.text)![1];
      expect((await t.http.get('/api/v1/auth/password/reset/verify', { query: { token: resetToken } })).status).toBe(200);

      const newEmail = `${uniqueName('moved')}@example.com`;
      const changed = await t.http.patch('/api/v1/users/me', { email: newEmail, current_password: u.password }, { token: u.access_token });
      expect(changed.status).toBe(200);
      expect(changed.body.data).toMatchObject({ email: newEmail, email_verified: false });

      const notice = await smtp.waitFor((m) => m.to.includes(u.email) && m.text.includes(newEmail));
      expect(notice.text).toMatch(/did not do this/);
      const stale = await t.http.get('/api/v1/auth/password/reset/verify', { query: { token: resetToken } });
      expect([stale.status, stale.body.error]).toEqual([400, 'INVALID_RESET_TOKEN']);
    });

    it('a password change also cancels pending reset links', async () => {
      const u = await registerAndLogin(t.http);
      await t.http.post('/api/v1/auth/password/forgot', { email: u.email });
      const mail = await smtp.waitFor((m) => m.to.includes(u.email) && /reset-password\?token=/.test(m.text));
      const resetToken = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
      const res = await t.http.put(
        '/api/v1/users/me/password',
        { old_password: u.password, new_password: 'Another-fine-passphrase-9' },
        { token: u.access_token },
      );
      expect(res.status).toBe(200);
      expect((await t.http.get('/api/v1/auth/password/reset/verify', { query: { token: resetToken } })).body.error).toBe(
        'INVALID_RESET_TOKEN',
      );
    });
  });

  describe('PUT /users/me/password guesses (medium 5)', () => {
    it('count as failed sign-ins of the account: the lock stops them, even with the right password', async () => {
      const u = await registerAndLogin(t.http);
      for (let i = 0; i < 3; i++) {
        const res = await t.http.put(
          '/api/v1/users/me/password',
          { old_password: `guess-${i}-wrong`, new_password: 'Another-fine-passphrase-9' },
          { token: u.access_token },
        );
        expect([res.status, res.body.error]).toEqual([400, 'WRONG_PASSWORD']);
      }
      const locked = await t.http.put(
        '/api/v1/users/me/password',
        { old_password: u.password, new_password: 'Another-fine-passphrase-9' },
        { token: u.access_token },
      );
      expect([locked.status, locked.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
      expect((await loginAs(u.username, u.password)).body.error).toBe('ACCOUNT_LOCKED');
      const [audit] = await t.app
        .get(DataSource)
        .query("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'user.password.change' AND success = 0 AND actor_id = ?", [u.id]);
      expect(Number(audit.n)).toBe(3);
    });

    it('are rate limited per user and address', async () => {
      const limited = await startApp({ RATE_LIMIT_AUTH_PER_MINUTE: '4', LOGIN_MAX_FAILURES: '100' });
      try {
        const u = await registerAndLogin(limited.http);
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) {
          const res = await limited.http.put(
            '/api/v1/users/me/password',
            { old_password: `guess-${i}`, new_password: 'Another-fine-passphrase-9' },
            { token: u.access_token },
          );
          statuses.push(res.status);
        }
        expect(statuses.slice(0, 4)).toEqual([400, 400, 400, 400]);
        expect(statuses.slice(4)).toEqual([429, 429]);
      } finally {
        await limited.close();
      }
    });
  });

  describe('tokens (medium 7, low 12)', () => {
    const sign = (claims: Record<string, unknown>) => signAccess(t, claims);
    const now = () => Math.floor(Date.now() / 1000);
    const base = (sub: string, sid: string) => ({
      iss: t.config.jwt.issuer,
      aud: t.config.jwt.audience,
      sub,
      sid,
      jti: randomUUID(),
      typ: 'access',
      iat: now(),
      nbf: now(),
    });

    it('refuse a token whose session belongs to another user than its sub', async () => {
      const a = await registerAndLogin(t.http);
      const b = await registerAndLogin(t.http);
      const [session] = await t.app.get(DataSource).query('SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL', [a.id]);
      const forged = sign({ ...base(b.id, session.id), exp: now() + 60 });
      const res = await t.http.get('/api/v1/users/me', { token: forged });
      expect([res.status, res.body.error]).toEqual([401, 'INVALID_TOKEN']);
      // And the same for a refresh token.
      const refresh = signRefresh(t, { ...base(b.id, session.id), typ: 'refresh', exp: now() + 60 });
      const r = await t.http.post('/api/v1/auth/refresh', { refresh_token: refresh });
      expect([r.status, r.body.error]).toEqual([401, 'INVALID_TOKEN']);
      // The genuine ones still work.
      expect((await t.http.get('/api/v1/users/me', { token: a.access_token })).status).toBe(200);
    });

    it('refuse a token without exp', async () => {
      const a = await registerAndLogin(t.http);
      const [session] = await t.app.get(DataSource).query('SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL', [a.id]);
      const forever = sign(base(a.id, session.id));
      const res = await t.http.get('/api/v1/users/me', { token: forever });
      expect([res.status, res.body.error]).toEqual([401, 'INVALID_TOKEN']);
    });
  });

  describe('sessions end (low 8): SESSION_MAX_LIFETIME caps every refresh', () => {
    it('never extends a session past its absolute end, then answers TOKEN_EXPIRED', async () => {
      const capped = await startApp({ SESSION_MAX_LIFETIME: '120', REFRESH_TOKEN_TTL: '3600' });
      try {
        const u = await registerAndLogin(capped.http);
        const first = await capped.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
        expect(first.body.data.refresh_expires_in).toBeLessThanOrEqual(120);
        const refreshed = await capped.http.post('/api/v1/auth/refresh', { refresh_token: first.body.data.refresh_token });
        expect(refreshed.status).toBe(200);
        expect(refreshed.body.data.refresh_expires_in).toBeLessThanOrEqual(120);
        // Time passes: the session's end is behind us.
        const past = new Date(Date.now() - 1000);
        const { sid } = jwt.decode(refreshed.body.data.refresh_token) as { sid: string };
        await capped.app.get(DataSource).getRepository('Session').update({ id: sid }, { endsAt: past, expiresAt: past });
        const over = await capped.http.post('/api/v1/auth/refresh', { refresh_token: refreshed.body.data.refresh_token });
        expect([over.status, over.body.error]).toEqual([401, 'TOKEN_EXPIRED']);
      } finally {
        await capped.close();
      }
    });
  });

  describe('headers (low 9)', () => {
    it('sends Cache-Control: no-store on every /api/v1 answer, success or error', async () => {
      const u = await registerAndLogin(t.http);
      for (const res of [
        await t.http.get('/api/v1/users/me', { token: u.access_token }),
        await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password }),
        await t.http.get('/api/v1/users/me'),
        await t.http.get('/api/v1/no-such-route'),
      ]) {
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });
  });
});

describe(`security review: the process [${DB}]`, () => {
  const secrets = () => ({
    JWT_REFRESH_SECRET: randomBytes(32).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });

  it('refuses weak production settings (medium 6, medium 4): a weak ADMIN_PASSWORD, a simple secret, MAIL_TRANSPORT=log', async () => {
    for (const [env, variable] of [
      [{ ADMIN_PASSWORD: 'x' }, 'ADMIN_PASSWORD fails the password policy'],
      [{ ADMIN_PASSWORD: 'password123' }, 'ADMIN_PASSWORD fails the password policy'],
      [{ JWT_REFRESH_SECRET: ' '.repeat(32) }, 'JWT_REFRESH_SECRET looks too simple'],
      [{ MAIL_TRANSPORT: 'log' }, 'MAIL_TRANSPORT cannot be log in production'],
    ] as const) {
      const db = await createTestDatabase();
      const proc = spawnServer(
        {
          ...baseEnv(db),
          ...secrets(),
          NODE_ENV: 'production',
          PUBLIC_URL: 'https://id.example.com',
          PORT: String(await freePort()),
          ...env,
        },
        db.dataDir,
      );
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toContain(variable);
      // The refused value itself is never echoed.
      if ('ADMIN_PASSWORD' in env) expect(proc.stderr()).not.toContain(`"${env.ADMIN_PASSWORD}"`);
      await db.drop();
    }
  });

  it('keeps reset tokens out of the request log (medium 4)', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const proc = spawnServer({ ...baseEnv(db), PORT: String(port), LOG_LEVEL: 'info' }, db.dataDir);
    try {
      await waitForOk(`http://127.0.0.1:${port}/health/ready`, proc);
      const secret = randomBytes(32).toString('base64url');
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/password/reset/verify?token=${secret}`);
      expect(res.status).toBe(400);
      await fetch(`http://127.0.0.1:${port}/api/v1/auth/password/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: secret, new_password: 'Some-long-new-passphrase-1' }),
      });
      await new Promise((r) => setTimeout(r, 200));
      const log = proc.stdout() + proc.stderr();
      expect(log).toContain('/api/v1/auth/password/reset/verify?…');
      expect(log).not.toContain(secret);
      expect(log).not.toContain('Some-long-new-passphrase-1');
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      await db.drop();
    }
  });

  it('creates the data folder 0700, and the database and secrets 0600 (low 11)', async () => {
    const db = await createTestDatabase();
    const dataDir = join(db.dataDir, 'fresh');
    const port = await freePort();
    const env: Record<string, string> = { ...baseEnv(db), PORT: String(port), DATA_DIR: dataDir };
    if (DB === 'sqlite') env.DB_PATH = join(dataDir, 'app.sqlite');
    // Without secrets, development generates them into the data folder.
    delete env.JWT_REFRESH_SECRET;
    delete env.ENCRYPTION_KEY;
    const proc = spawnServer(env, db.dataDir);
    try {
      await waitForOk(`http://127.0.0.1:${port}/health/ready`, proc);
      const mode = async (path: string) => (await stat(path)).mode & 0o777;
      expect(await mode(dataDir)).toBe(0o700);
      expect(await mode(join(dataDir, 'secrets.json'))).toBe(0o600);
      if (DB === 'sqlite') {
        expect(await mode(join(dataDir, 'app.sqlite'))).toBe(0o600);
        expect(await mode(join(dataDir, 'app.sqlite-wal'))).toBe(0o600);
      }
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      await db.drop();
    }
  });
});
