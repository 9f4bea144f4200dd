import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, baseEnv, createTestDatabase, DB, startApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/ports.js';
import { spawnServer, waitForOk } from '../support/process.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { randomBytes } from 'node:crypto';

describe(`foundation [${DB}]`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('migrations and seeding', () => {
    it('creates the whole schema from migrations, in step with the entities', async () => {
      const ds = t.app.get(DataSource);
      const tables = (await ds.createQueryRunner().getTables()).map((x) => x.name.split('.').pop()).sort();
      expect(tables).toEqual(
        expect.arrayContaining([
          'audit_logs',
          'login_failures',
          'mfa_recovery_codes',
          'migrations',
          'permissions',
          'role_permissions',
          'roles',
          'sessions',
          'user_mfa',
          'user_roles',
          'user_tokens',
          'users',
        ]),
      );
      const executed = await ds.query('SELECT name FROM migrations');
      expect(executed.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
      // What `migration:generate` would write: nothing, so the entities match the migrations.
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    });

    it('seeds the system permissions, roles and one SUPER_ADMIN', async () => {
      const ds = t.app.get(DataSource);
      const perms = await ds.query('SELECT code, is_system FROM permissions ORDER BY code');
      expect(perms.map((p: { code: string }) => p.code)).toEqual([
        'audit:read',
        'client:create',
        'client:delete',
        'client:read',
        'client:update',
        'key:manage',
        'key:read',
        'permission:create',
        'permission:delete',
        'permission:read',
        'permission:update',
        'role:create',
        'role:delete',
        'role:read',
        'role:update',
        'user:create',
        'user:delete',
        'user:read',
        'user:update',
      ]);
      expect(perms.every((p: { is_system: unknown }) => Number(p.is_system) === 1)).toBe(true);
      const roles = await ds.query(
        'SELECT r.code, COUNT(rp.permission_id) AS n FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id GROUP BY r.code ORDER BY r.code',
      );
      expect(roles.map((r: { code: string; n: unknown }) => [r.code, Number(r.n)])).toEqual([
        // Signing keys are SUPER_ADMIN's alone (docs/api.md §8).
        ['ADMIN', 17],
        ['SUPER_ADMIN', 19],
        ['USER', 0],
      ]);
      const admins = await ds.query(
        "SELECT u.username, u.password_hash FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id WHERE r.code = 'SUPER_ADMIN'",
      );
      expect(admins).toHaveLength(1);
      expect(admins[0].username).toBe(ADMIN.username);
      expect(admins[0].password_hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(admins[0].password_hash.split('$')[3].split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
    });

    it('seeds idempotently: a second start on the same database adds nothing', async () => {
      const db = await createTestDatabase();
      const first = await startApp({}, db);
      const count = async (app: TestApp) => {
        const ds = app.app.get(DataSource);
        const one = async (sql: string) => Number((await ds.query(sql))[0].n);
        return {
          users: await one('SELECT COUNT(*) AS n FROM users'),
          roles: await one('SELECT COUNT(*) AS n FROM roles'),
          permissions: await one('SELECT COUNT(*) AS n FROM permissions'),
          grants: await one('SELECT COUNT(*) AS n FROM role_permissions'),
          keys: await one("SELECT COUNT(*) AS n FROM signing_keys WHERE status = 'active'"),
          migrations: await one('SELECT COUNT(*) AS n FROM migrations'),
        };
      };
      const before = await count(first);
      await first.close({ keepDatabase: true });
      const second = await startApp({ ADMIN_PASSWORD: 'a-different-password-ignored' }, db);
      expect(await count(second)).toEqual(before);
      expect(before).toEqual({ users: 1, roles: 3, permissions: 19, grants: 36, keys: 2, migrations: MIGRATIONS.length });
      await second.close();
    });
  });

  describe('health and docs', () => {
    it('GET /health/live answers without auth or envelope', async () => {
      const res = await t.http.get('/health/live');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('GET /health/ready pings the database', async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.details.database.status).toBe('up');
    });

    it('serves Swagger UI at /docs and the OpenAPI document with the bearer scheme at /docs-json', async () => {
      const ui = await t.http.get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toContain('text/html');
      expect(ui.text).toContain('swagger-ui');
      const doc = await t.http.get('/docs-json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      expect(Object.keys(doc.body.paths)).toContain('/health/ready');
    });
  });

  describe('cross-cutting', () => {
    it('answers an unknown route with the error envelope and NOT_FOUND', async () => {
      const res = await t.http.get('/api/v1/no-such-route');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        code: 404,
        error: 'NOT_FOUND',
        message: 'Not found.',
        path: '/api/v1/no-such-route',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        request_id: res.headers.get('x-request-id'),
      });
    });

    it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
      const given = await t.http.get('/api/v1/nope', { headers: { 'x-request-id': 'abc-123' } });
      expect(given.headers.get('x-request-id')).toBe('abc-123');
      expect(given.body.request_id).toBe('abc-123');
      const unsafe = await t.http.get('/api/v1/nope', { headers: { 'x-request-id': '<script>' } });
      expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(unsafe.body.request_id).toBe(unsafe.headers.get('x-request-id'));
    });

    it('localises error messages by Accept-Language (zh-CN, en, unknown → default)', async () => {
      const zh = await t.http.get('/api/v1/nope', { headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' } });
      expect(zh.body.message).toBe('资源不存在。');
      expect(zh.body.error).toBe('NOT_FOUND');
      const en = await t.http.get('/api/v1/nope', { headers: { 'accept-language': 'en-US' } });
      expect(en.body.message).toBe('Not found.');
      const other = await t.http.get('/api/v1/nope', { headers: { 'accept-language': 'fr-FR, *;q=0.5' } });
      expect(other.body.message).toBe('Not found.');
    });

    it('sets security headers (helmet)', async () => {
      const res = await t.http.get('/health/live');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-powered-by')).toBeNull();
    });

    it('answers CORS preflights only for configured origins', async () => {
      const cors = await startApp({ CORS_ORIGINS: 'https://app.example.com' });
      try {
        const ok = await cors.http.req('OPTIONS', '/api/v1/auth/login', {
          headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
        });
        expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        const other = await cors.http.req('OPTIONS', '/api/v1/auth/login', {
          headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
        });
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await cors.close();
      }
    });
  });

  describe('the process', () => {
    it('refuses a bad value with a message naming the variable', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'authcentre-cfg-'));
      const proc = spawnServer({ PORT: 'eighty', LOGIN_MAX_FAILURES: '0', DATA_DIR: dir }, dir);
      expect(await proc.exited).toBe(1);
      await rm(dir, { recursive: true, force: true });
      expect(proc.stderr()).toContain('PORT must be a whole number (got "eighty")');
      expect(proc.stderr()).toContain('LOGIN_MAX_FAILURES must be at least 1');
    });

    it('refuses to start in production without JWT secrets', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'authcentre-cfg-'));
      const proc = spawnServer({ NODE_ENV: 'production', DATA_DIR: dir, JWT_REFRESH_SECRET: 'short' }, dir);
      expect(await proc.exited).toBe(1);
      await rm(dir, { recursive: true, force: true });
      expect(proc.stderr()).toContain('JWT_REFRESH_SECRET must be at least 32 bytes long');
      expect(proc.stderr()).toContain('ENCRYPTION_KEY is required in production');
      expect(proc.stderr()).not.toContain('short');
    });

    it('refuses to create the first admin in production without ADMIN_PASSWORD', async () => {
      const db = await createTestDatabase();
      const env = baseEnv(db);
      delete env.ADMIN_PASSWORD;
      const proc = spawnServer(
        {
          ...env,
          NODE_ENV: 'production',
          PUBLIC_URL: 'https://id.example.com',
          PORT: String(await freePort()),
          JWT_REFRESH_SECRET: randomBytes(32).toString('base64'),
          ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        },
        db.dataDir,
      );
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toContain('ADMIN_PASSWORD is required in production');
      await db.drop();
    });

    it('starts with generated development secrets, then stops cleanly on SIGTERM', async () => {
      const db = await createTestDatabase();
      const port = await freePort();
      const env = { ...baseEnv(db), PORT: String(port), NODE_ENV: 'development', LOG_LEVEL: 'info' };
      for (const name of ['ADMIN_PASSWORD', 'JWT_REFRESH_SECRET', 'ENCRYPTION_KEY']) delete (env as Record<string, string>)[name];
      const proc = spawnServer(env, db.dataDir);
      await waitForOk(`http://127.0.0.1:${port}/health/ready`, proc);
      expect(proc.stdout()).toContain(`/docs`);
      expect(proc.stdout()).toMatch(/password +\S{12,}/);
      const secrets = JSON.parse(await readFile(join(db.dataDir, 'secrets.json'), 'utf8'));
      expect(secrets.jwt_refresh_secret.length).toBeGreaterThanOrEqual(43);
      expect(Buffer.from(secrets.encryption_key, 'base64')).toHaveLength(32);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      await db.drop();
    });
  });
});
