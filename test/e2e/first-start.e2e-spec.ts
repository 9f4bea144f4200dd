import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseEnv, createTestDatabase, DB, type TestDatabase } from '../support/app.js';
import { freePort } from '../support/ports.js';
import { spawnServer, waitForOk, type Spawned } from '../support/process.js';

/**
 * The first hour of a newcomer (issue 18): what the service says when it starts, where its
 * root points, and the development defaults that let a local frontend call it. Each case runs
 * the built service through its production entry, as `npm start` / `npm run start:prod` do.
 */
describe(`first start [${DB}]`, () => {
  /** The environment of a fresh development checkout: no ADMIN_PASSWORD, no CORS_ORIGINS, no secrets. */
  function developmentEnv(db: TestDatabase, port: number): Record<string, string> {
    const env: Record<string, string> = { ...baseEnv(db), NODE_ENV: 'development', PORT: String(port), LOG_LEVEL: 'info' };
    for (const name of ['ADMIN_PASSWORD', 'CORS_ORIGINS', 'JWT_REFRESH_SECRET', 'ENCRYPTION_KEY']) delete env[name];
    return env;
  }

  async function start(env: Record<string, string>, db: TestDatabase): Promise<{ proc: Spawned; base: string }> {
    const proc = spawnServer(env, db.dataDir);
    const base = `http://127.0.0.1:${env.PORT}`;
    await waitForOk(`${base}/health/ready`, proc);
    // The banner is written right after listening; ready may answer a moment before.
    for (let i = 0; i < 50 && !/AuthCentre/.test(proc.stdout()); i++) await new Promise((r) => setTimeout(r, 50));
    return { proc, base };
  }

  async function stop(proc: Spawned): Promise<void> {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }

  const login = (base: string, username: string, password: string) =>
    fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });

  it('in development: a banner with the URLs and the generated admin password, readable logs, / → /docs, local frontends allowed', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const { proc, base } = await start(developmentEnv(db, port), db);
    try {
      const out = proc.stdout();
      expect(out).toContain(`Swagger UI   http://localhost:${port}/docs`);
      expect(out).toContain(`API          http://localhost:${port}/api/v1`);
      expect(out).toContain(`OpenID       http://localhost:${port}/oauth2/.well-known/openid-configuration`);
      expect(out).toMatch(/username +admin\n/);
      const password = /password +(\S+)\n/.exec(out)?.[1];
      expect(password).toMatch(/^\S{16}$/);
      // Human-readable: no JSON log records, no epoch timestamps.
      const records = out.split('\n').filter((line) => line.startsWith('{'));
      expect(records).toEqual([]);
      expect(out).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: \[Database\] Created the SUPER_ADMIN user "admin"$/m);

      // The printed password is the administrator's.
      const res = await login(base, 'admin', password!);
      expect(res.status).toBe(200);

      // One line per request, query strings left out.
      await fetch(`${base}/api/v1/users/me?token=${'x'.repeat(20)}`);
      await new Promise((r) => setTimeout(r, 100));
      expect(proc.stdout()).toMatch(/INFO: GET \/api\/v1\/users\/me\?… 401 \d+ ms/);
      expect(proc.stdout()).not.toContain('x'.repeat(20));

      const root = await fetch(`${base}/`, { redirect: 'manual' });
      expect([root.status, root.headers.get('location')]).toEqual([302, '/docs']);
      expect(root.headers.get('x-request-id')).toBeTruthy();
      expect((await fetch(`${base}/docs`)).status).toBe(200);

      // A Vite dev server's first fetch works; a foreign origin gets no CORS grant.
      const preflight = (origin: string) =>
        fetch(`${base}/api/v1/auth/login`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      const vite = await preflight('http://localhost:5173');
      expect(vite.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(vite.headers.get('access-control-allow-credentials')).toBe('true');
      const evil = await preflight('https://evil.example');
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      expect(proc.stdout()).toContain('Local frontends may call the API');
    } finally {
      await stop(proc);
    }

    // Restarted with ADMIN_PASSWORD on the same database: it says the setting was ignored, and it was.
    const chosen = `Chosen-${randomBytes(6).toString('hex')}-Passphrase`;
    const again = await start({ ...developmentEnv(db, port), ADMIN_PASSWORD: chosen }, db);
    try {
      expect(again.proc.stdout()).toContain('ADMIN_PASSWORD was ignored');
      expect(again.proc.stdout()).toContain('npx authcentre reset-password <username>');
      expect(again.proc.stdout()).not.toMatch(/password +\S{16}\n/);
      expect(again.proc.stdout()).not.toContain(chosen);
      expect((await login(again.base, 'admin', chosen)).status).toBe(401);
    } finally {
      await stop(again.proc);
      await db.drop();
    }
  });

  it('in production: JSON log lines with ISO timestamps and no password, /docs off unless DOCS_ENABLED, no CORS unless configured', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const password = `Prod-${randomBytes(8).toString('hex')}-Passphrase`;
    const env = {
      ...baseEnv(db),
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: 'info',
      PUBLIC_URL: 'https://id.example.com',
      ADMIN_PASSWORD: password,
      JWT_REFRESH_SECRET: randomBytes(32).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MAIL_TRANSPORT: 'file',
    };
    const { proc, base } = await start(env, db);
    try {
      await fetch(`${base}/health/live`);
      await new Promise((r) => setTimeout(r, 100));
      const lines = proc.stdout().trim().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) {
        const record = JSON.parse(line) as { time: string; msg: string };
        expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain('API: https://id.example.com/api/v1');
      expect(messages).toContain('Created the first administrator "admin" (SUPER_ADMIN)');
      expect(messages.some((m) => m.includes('Swagger'))).toBe(false);
      expect(proc.stdout()).not.toContain(password);

      expect((await fetch(`${base}/docs`)).status).toBe(404);
      expect((await fetch(`${base}/docs-json`)).status).toBe(404);
      const root = await fetch(`${base}/`, { redirect: 'manual' });
      expect([root.status, root.headers.get('location')]).toEqual([302, '/oauth2/.well-known/openid-configuration']);
      const preflight = await fetch(`${base}/api/v1/auth/login`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await stop(proc);
    }

    const docs = await start({ ...env, DOCS_ENABLED: 'true' }, db);
    try {
      expect((await fetch(`${docs.base}/docs`)).status).toBe(200);
    } finally {
      await stop(docs.proc);
      await db.drop();
    }
  });
});
