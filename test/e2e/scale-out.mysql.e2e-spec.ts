import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestDatabase, type TestDatabase } from '../support/app.js';
import { startInstance, type Instance } from '../support/cluster.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { login, PASSWORD, uniqueName } from '../support/users.js';

/**
 * Two processes of the service on one real MariaDB and one real Redis behave as one
 * (docs/api.md §7): what happens on A is in force on B at the next request.
 */
describe('two instances, one MariaDB, one Redis', () => {
  let db: TestDatabase;
  let redis: RedisHandle;
  let a: Instance;
  let b: Instance;
  let ipCounter = 0;
  /** Every test speaks from its own client address (TRUST_PROXY=true), so rate limits don't mix. */
  const client = () => ({ 'x-forwarded-for': `198.51.100.${++ipCounter}` });

  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_PER_MINUTE: '6',
      LOGIN_MAX_FAILURES: '3',
      CAPTCHA_AFTER_FAILURES: '2',
    };
    // Started together: the migration lock lets one migrate while the other waits.
    [a, b] = await Promise.all([startInstance('A', db, env), startInstance('B', db, env)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.destroy();
    await db?.drop();
  });

  /** The test reads a captcha's answer where the instances keep it: in Redis. */
  async function answerOf(id: string): Promise<string> {
    const r = new Redis(redis.url);
    try {
      const answer = await r.get(`authcentre:captcha:${id}`);
      expect(answer).toBeTruthy();
      return answer!;
    } finally {
      r.disconnect();
    }
  }

  async function newUser(on: Instance) {
    const username = uniqueName('so');
    const reg = await on.http.post('/api/v1/auth/register', { username, password: PASSWORD }, { headers: client() });
    expect(reg.status).toBe(201);
    return { id: reg.body.data.id as string, username };
  }

  it('both started on one schema, seeded once', async () => {
    const ready = await b.http.get('/health/ready');
    expect(ready.body.details.redis).toEqual({ status: 'up' });
    const admin = await login(a.http, ADMIN.username, ADMIN.password, client());
    expect(admin.user.permissions).toHaveLength(19);
  });

  it('a logout on A is refused on B at the next request', async () => {
    const u = await newUser(a);
    const tokens = await login(a.http, u.username, PASSWORD, client());
    expect((await b.http.get('/api/v1/users/me', { token: tokens.access_token })).status).toBe(200); // B's cache is warm
    expect((await a.http.post('/api/v1/auth/logout', {}, { token: tokens.access_token })).status).toBe(200);
    const after = await b.http.get('/api/v1/users/me', { token: tokens.access_token });
    expect([after.status, after.body.error]).toEqual([401, 'TOKEN_REVOKED']);
  });

  it('a profile change on A shows on B at the next request', async () => {
    const u = await newUser(a);
    const tokens = await login(b.http, u.username, PASSWORD, client());
    expect((await b.http.get('/api/v1/users/me', { token: tokens.access_token })).body.data.nickname).toBeNull();
    await a.http.patch('/api/v1/users/me', { nickname: 'Seen on B' }, { token: tokens.access_token });
    expect((await b.http.get('/api/v1/users/me', { token: tokens.access_token })).body.data.nickname).toBe('Seen on B');
  });

  it('a login on A shows as last_login_at on B', async () => {
    const u = await newUser(a);
    const first = await login(b.http, u.username, PASSWORD, client());
    expect((await b.http.get('/api/v1/users/me', { token: first.access_token })).body.data.last_login_at).toBe(first.user.last_login_at);
    await new Promise((r) => setTimeout(r, 5));
    const second = await login(a.http, u.username, PASSWORD, client());
    await expect
      .poll(async () => (await b.http.get('/api/v1/users/me', { token: first.access_token })).body.data.last_login_at, { timeout: 2000 })
      .toBe(second.user.last_login_at);
  });

  it('refresh-token theft detected on B revokes the session on A', async () => {
    const u = await newUser(a);
    const tokens = await login(a.http, u.username, PASSWORD, client());
    expect((await a.http.get('/api/v1/users/me', { token: tokens.access_token })).status).toBe(200);
    expect((await a.http.post('/api/v1/auth/refresh', { refresh_token: tokens.refresh_token })).status).toBe(200);
    expect((await b.http.post('/api/v1/auth/refresh', { refresh_token: tokens.refresh_token })).body.error).toBe('REFRESH_TOKEN_REUSED');
    expect((await a.http.get('/api/v1/users/me', { token: tokens.access_token })).body.error).toBe('TOKEN_REVOKED');
  });

  it('counts the rate limit across both', async () => {
    const ip = client();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const on = i % 2 === 0 ? a : b;
      statuses.push((await on.http.get('/api/v1/auth/captcha', { headers: ip })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('holds a lockout across both', async () => {
    const u = await newUser(a);
    await a.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' }, { headers: client() });
    await b.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' }, { headers: client() });
    // From the second failure on a captcha is needed; the third failure locks.
    const cap = (await b.http.get('/api/v1/auth/captcha', { headers: client() })).body.data;
    const third = await a.http.post(
      '/api/v1/auth/login',
      { username: u.username, password: 'Wrong-password-1', captcha_id: cap.captcha_id, captcha_code: await answerOf(cap.captcha_id) },
      { headers: client() },
    );
    expect(third.body.error).toBe('INVALID_CREDENTIALS');
    for (const on of [a, b]) {
      const res = await on.http.post('/api/v1/auth/login', { username: u.username, password: PASSWORD }, { headers: client() });
      expect([res.status, res.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
    }
  });

  it('a burst of wrong passwords over both instances gets at most LOGIN_MAX_FAILURES answers of 401', async () => {
    const u = await newUser(a);
    const burst = Array.from({ length: 24 }, (_, i) =>
      (i % 2 ? a : b).http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' }, { headers: client() }),
    );
    const results = await Promise.all(burst);
    // Three attempts reach the password check; the others are refused before it: locked, or (this
    // cluster asks for a captcha from the second failure) told to bring a captcha.
    expect(results.filter((r) => r.body.error === 'INVALID_CREDENTIALS')).toHaveLength(3);
    const rest = results.filter((r) => r.body.error !== 'INVALID_CREDENTIALS').map((r) => `${r.status} ${r.body.error}`);
    expect(
      rest.every((r) => r === '403 ACCOUNT_LOCKED' || r === '401 CAPTCHA_REQUIRED'),
      rest.join(', '),
    ).toBe(true);
    const after = await b.http.post('/api/v1/auth/login', { username: u.username, password: PASSWORD }, { headers: client() });
    expect([after.status, after.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
  });

  it('a captcha drawn on A is answered on B, once', async () => {
    const u = await newUser(a);
    for (const on of [a, b])
      await on.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' }, { headers: client() });
    expect((await b.http.post('/api/v1/auth/login', { username: u.username, password: PASSWORD }, { headers: client() })).body.error).toBe(
      'CAPTCHA_REQUIRED',
    );
    const cap = (await a.http.get('/api/v1/auth/captcha', { headers: client() })).body.data;
    const answer = await answerOf(cap.captcha_id);
    const body = { username: u.username, password: PASSWORD, captcha_id: cap.captcha_id, captcha_code: answer };
    expect((await b.http.post('/api/v1/auth/login', body, { headers: client() })).status).toBe(200);
    // Spent on B means spent on A too.
    await a.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' }, { headers: client() });
    await a.http.post('/api/v1/auth/login', { username: u.username, password: 'Wrong-password-1' }, { headers: client() });
    expect((await a.http.post('/api/v1/auth/login', body, { headers: client() })).body.error).toBe('CAPTCHA_INVALID');
  });
});
