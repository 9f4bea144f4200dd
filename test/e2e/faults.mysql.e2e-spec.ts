import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/app.js';
import { startInstance } from '../support/cluster.js';
import { createDatabase, startMariaDb, type MariaDbHandle } from '../support/mariadb.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { login, PASSWORD, uniqueName } from '../support/users.js';

/** Polls `probe` until it returns true or `ms` pass; returns how long it took. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await probe().catch(() => false)) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not within ${ms} ms`);
}

/** A database in a MariaDB server of this file's own, so stopping it hurts no other test. */
async function ownDatabase(server: MariaDbHandle): Promise<TestDatabase & { url: string }> {
  const url = await createDatabase(server, `f_${randomBytes(5).toString('hex')}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'authcentre-faults-'));
  return {
    kind: 'mysql',
    dataDir,
    url,
    env: { DB_TYPE: 'mysql', DATABASE_URL: url.replace(/^mysql:/, 'mariadb:'), DB_TIMEOUT_MS: '2000' },
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

describe('faults: the service survives database and Redis outages', () => {
  let server: MariaDbHandle;
  let redis: RedisHandle;

  beforeAll(async () => {
    [server, redis] = await Promise.all([startMariaDb(), startRedis()]);
  }, 60_000);
  afterAll(async () => {
    await redis?.destroy();
    await server?.destroy();
  });

  it('MariaDB stopped → ready 503 and 503 SERVICE_UNAVAILABLE in bounded time, never a 500; recovers by itself', async () => {
    const db = await ownDatabase(server);
    const app = await startInstance('db-fault', db);
    try {
      const username = uniqueName('f');
      expect((await app.http.post('/api/v1/auth/register', { username, password: PASSWORD })).status).toBe(201);
      const tokens = await login(app.http, username, PASSWORD);
      expect((await app.http.get('/api/v1/users/me', { token: tokens.access_token })).status).toBe(200);

      await server.stop();
      const seen: number[] = [];
      let started = Date.now();
      const ready = await app.http.get('/health/ready');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');

      started = Date.now();
      const refused = await app.http.post('/api/v1/auth/login', { username, password: PASSWORD });
      expect(Date.now() - started).toBeLessThan(5000);
      expect([refused.status, refused.body.error]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      expect(refused.headers.get('retry-after')).toBe('5');
      seen.push(refused.status, (await app.http.post('/api/v1/auth/register', { username: uniqueName(), password: PASSWORD })).status);
      // A warm access check needs no database: the signed-in user is still served.
      seen.push((await app.http.get('/api/v1/users/me', { token: tokens.access_token })).status);
      expect(seen).not.toContain(500);

      await server.start();
      await within(20_000, async () => (await app.http.get('/health/ready')).status === 200);
      await within(10_000, async () => {
        const res = await app.http.post('/api/v1/auth/login', { username, password: PASSWORD });
        expect(res.status).not.toBe(500);
        return res.status === 200;
      });
    } finally {
      await app.stop();
      await db.drop();
    }
  }, 90_000);

  it('Redis stopped → answers from the database, fails closed (a revoked token never passes), reconnects', async () => {
    const db = await ownDatabase(server);
    const env = { REDIS_URL: redis.url };
    const [a, b] = [await startInstance('A', db, env), await startInstance('B', db, env)];
    try {
      const username = uniqueName('r');
      expect((await a.http.post('/api/v1/auth/register', { username, password: PASSWORD })).status).toBe(201);
      const t1 = await login(a.http, username, PASSWORD);
      expect((await b.http.get('/api/v1/users/me', { token: t1.access_token })).status).toBe(200); // warm on B

      await redis.stop();
      expect((await a.http.post('/api/v1/auth/logout', {}, { token: t1.access_token })).status).toBe(200);
      const onB = await b.http.get('/api/v1/users/me', { token: t1.access_token });
      expect([onB.status, onB.body.error]).toEqual([401, 'TOKEN_REVOKED']);

      // Everything else keeps working without Redis.
      const t2 = await login(b.http, username, PASSWORD);
      expect((await a.http.get('/api/v1/users/me', { token: t2.access_token })).status).toBe(200);
      expect((await a.http.get('/api/v1/auth/captcha')).status).toBe(200);
      const ready = await a.http.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details.redis).toEqual({ status: 'down', fallback: 'database' });

      await redis.start();
      await within(15_000, async () => (await a.http.get('/health/ready')).body.details.redis.status === 'up');
      await within(15_000, async () => (await b.http.get('/health/ready')).body.details.redis.status === 'up');
      // After the outage: still revoked, and revocations travel through Redis again.
      expect((await b.http.get('/api/v1/users/me', { token: t1.access_token })).body.error).toBe('TOKEN_REVOKED');
      expect((await b.http.get('/api/v1/users/me', { token: t2.access_token })).status).toBe(200);
      await a.http.post('/api/v1/auth/logout', {}, { token: t2.access_token });
      expect((await b.http.get('/api/v1/users/me', { token: t2.access_token })).body.error).toBe('TOKEN_REVOKED');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
    }
  }, 90_000);

  it('SIGTERM under load: in-flight requests finish, exit 0, no half-written rows', async () => {
    const db = await ownDatabase(server);
    const app = await startInstance('drain', db);
    const statuses: number[] = [];
    const created: string[] = [];
    let stopping = false;
    const worker = async () => {
      while (!stopping) {
        try {
          const res = await app.http.post('/api/v1/auth/register', { username: uniqueName('d'), password: PASSWORD });
          statuses.push(res.status);
          if (res.status === 201) created.push(res.body.data.id);
        } catch {
          return; // the listener is closed: a refused connection, not an error answer
        }
      }
    };
    const workers = Array.from({ length: 20 }, worker);
    await new Promise((r) => setTimeout(r, 1500));
    app.proc.child.kill('SIGTERM');
    const code = await app.proc.exited;
    stopping = true;
    await Promise.all(workers);

    expect(code).toBe(0);
    expect(created.length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);

    const conn = await mysql.createConnection(db.url);
    try {
      const [orphans] = await conn.query(
        `SELECT u.id FROM users u
           LEFT JOIN user_roles ur ON ur.user_id = u.id
           LEFT JOIN audit_logs a ON a.target_id = u.id AND a.action = 'auth.register'
         WHERE u.username <> 'admin' AND (ur.user_id IS NULL OR a.id IS NULL)`,
      );
      expect(orphans).toEqual([]);
      const [rows] = await conn.query('SELECT id FROM users WHERE id IN (?)', [created]);
      expect((rows as unknown[]).length).toBe(created.length);
    } finally {
      await conn.end();
      await db.drop();
    }
  }, 60_000);
});
