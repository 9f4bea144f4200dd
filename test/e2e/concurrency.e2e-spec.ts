import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { PASSWORD, register, registerAndLogin, uniqueName } from '../support/users.js';

/** docs/api.md §3 rules under 50-way concurrency: exactly one winner, never a 500. */
describe(`concurrency [${DB}]`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ LOGIN_MAX_FAILURES: '5' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('50 parallel refreshes with one refresh token → exactly one new pair, the rest REFRESH_TOKEN_REUSED', async () => {
    const u = await registerAndLogin(t.http);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.http.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token })),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const errors = results.filter((r) => r.status !== 200);
    expect(errors.every((r) => r.status === 401)).toBe(true);
    // The first loser revokes the session; later ones may find it revoked already.
    expect(errors.filter((r) => r.body.error === 'REFRESH_TOKEN_REUSED').length).toBeGreaterThanOrEqual(1);
    expect(errors.every((r) => ['REFRESH_TOKEN_REUSED', 'TOKEN_REVOKED'].includes(r.body.error))).toBe(true);
    // Theft was detected, so the winner's pair dies with the session.
    expect((await t.http.get('/api/v1/users/me', { token: ok[0].body.data.access_token })).body.error).toBe('TOKEN_REVOKED');
  });

  it('50 parallel refreshes within the grace window → every one gets a pair of the same session', async () => {
    const g = await startApp({ REFRESH_GRACE_SECONDS: '30' });
    try {
      const u = await registerAndLogin(g.http);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => g.http.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
      const me = await g.http.get('/api/v1/users/me', { token: results[49].body.data.access_token });
      expect(me.status).toBe(200);
    } finally {
      await g.close();
    }
  });

  it('30 parallel right-password logins under a high limit → all signed in, none refused as locked', async () => {
    // Each success clears the count while others are between its statements: a row cleared
    // under an attempt is no lock (LoginAttemptsService.take starts again).
    const g = await startApp({ LOGIN_MAX_FAILURES: '1000' });
    try {
      const u = await register(g.http);
      const results = await Promise.all(
        Array.from({ length: 30 }, () => g.http.post('/api/v1/auth/login', { username: u.username, password: u.password })),
      );
      expect(results.map((r) => `${r.status} ${r.body.error ?? ''}`.trim())).toEqual(Array(30).fill('200'));
    } finally {
      await g.close();
    }
  });

  it('50 parallel registrations of one username → exactly one 201, 409 for the rest', async () => {
    const username = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.http.post('/api/v1/auth/register', { username, password: PASSWORD, email: `${username}.${i}@example.com` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const rest = results.filter((r) => r.status !== 201);
    expect(rest).toHaveLength(49);
    expect(rest.every((r) => r.status === 409 && r.body.error === 'USERNAME_TAKEN')).toBe(true);
    const [{ n }] = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM users WHERE username_key = ?', [username.toLowerCase()]);
    expect(Number(n)).toBe(1);
  });

  it('50 parallel wrong-password logins → exactly LOGIN_MAX_FAILURES answers of 401, the rest 403, then locked', async () => {
    const u = await register(t.http);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' })),
    );
    const failures = results.filter((r) => r.status === 401);
    const locked = results.filter((r) => r.status === 403);
    // The count is taken before the password is checked: no guess outruns the lock.
    expect(failures).toHaveLength(5);
    expect(locked).toHaveLength(45);
    expect(failures.every((r) => r.body.error === 'INVALID_CREDENTIALS')).toBe(true);
    expect(locked.every((r) => r.body.error === 'ACCOUNT_LOCKED' && Number(r.headers.get('retry-after')) > 0)).toBe(true);
    const [row] = await t.app
      .get(DataSource)
      .query('SELECT failed_count, locked_until FROM login_failures WHERE login_key = ?', [`user:${u.id}`]);
    expect(Number(row.failed_count)).toBe(5);
    expect(row.locked_until).not.toBeNull();
    const after = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
    expect(after.body.error).toBe('ACCOUNT_LOCKED');
  });

  it('the right password sent among a burst of wrong ones cannot get past the lock', async () => {
    const u = await register(t.http);
    const wrong = Array.from({ length: 19 }, () =>
      t.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' }),
    );
    const right = t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
    const results = await Promise.all([...wrong, right]);
    // At most LOGIN_MAX_FAILURES attempts are ever let through to the password check.
    expect(results.filter((r) => r.status === 401 || r.status === 200).length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect(results.every((r) => [200, 401, 403].includes(r.status))).toBe(true);
  });
});
