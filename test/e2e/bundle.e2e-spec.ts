import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, baseEnv, createTestDatabase, DB, type TestDatabase } from '../support/app.js';
import { run } from '../support/child.js';
import { Http } from '../support/http.js';
import { discover, registerClient } from '../support/oauth.js';
import { freePort } from '../support/ports.js';
import { spawnServer, waitForOk, type Spawned } from '../support/process.js';
import { login, register } from '../support/users.js';

const BUNDLE = resolve('dist/bundle/main.mjs');
const PLAIN = resolve('dist/src/main.js');

/** Production settings, as the image runs the service (docs/performance.md), on this project's database. */
async function productionEnv(db: TestDatabase, extra: Record<string, string> = {}): Promise<{ env: Record<string, string>; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    env: {
      ...baseEnv(db),
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: url,
      LOG_LEVEL: 'warn',
      JWT_REFRESH_SECRET: randomBytes(32).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUTHCENTRE_ENTRY: 'bundle',
      ...extra,
    },
  };
}

/**
 * The bundled production build (npm run build:prod, scripts/bundle.mjs) started the way
 * production starts it — `node bin/authcentre.cjs` — answers what every deployment needs:
 * readiness, sign-in, the profile, OpenID discovery and a client_credentials grant. The
 * bundle is built here unless this run already built it (from this dist/).
 */
describe(`the bundled production build [${DB}]`, () => {
  let db: TestDatabase;
  let proc: Spawned;
  let http: Http;
  let url: string;

  beforeAll(async () => {
    const fresh = existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= statSync(PLAIN).mtimeMs;
    if (!fresh) {
      const built = await run(process.execPath, [resolve('scripts/bundle.mjs')], 60_000);
      expect(built.code, built.stderr).toBe(0);
    }
    db = await createTestDatabase();
    const started = await productionEnv(db, { DOCS_ENABLED: 'true' });
    url = started.url;
    http = new Http(url);
    proc = spawnServer(started.env, db.dataDir);
    await waitForOk(`${url}/health/ready`, proc, 40_000);
  }, 90_000);

  afterAll(async () => {
    if (proc) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    await db?.drop();
  });

  it('is ready, signs in, and serves /users/me with the ES256 access token', async () => {
    expect((await http.get('/health/ready')).body.status).toBe('ok');
    const user = await register(http);
    const tokens = await login(http, user.username, user.password);
    expect(JSON.parse(Buffer.from(tokens.access_token.split('.')[0], 'base64url').toString()).alg).toBe('ES256');
    const me = await http.get('/api/v1/users/me', { token: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data.username).toBe(user.username);
  });

  it('publishes OpenID discovery and issues a client_credentials token', async () => {
    const meta = await http.get('/oauth2/.well-known/openid-configuration');
    expect(meta.status).toBe(200);
    expect(meta.body.issuer).toBe(`${url}/oauth2`);
    const admin = await login(http, ADMIN.username, ADMIN.password);
    const registered = await registerClient(http, admin.access_token, {
      name: 'bundle smoke',
      type: 'confidential',
      grant_types: ['client_credentials'],
    });
    const tokens = await client.clientCredentialsGrant(await discover(url, registered));
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.access_token.split('.')).toHaveLength(3);
  });

  it('serves the API docs from the bundle (Swagger is imported where they are set up)', async () => {
    const doc = await http.get('/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.info.title).toBe('AuthCentre API');
  });

  it('leaves out TypeORM drivers for databases the service does not speak', () => {
    const source = readFileSync(BUNDLE, 'utf8');
    expect(source).toContain('TypeORM PostgresDriver is left out of this build');
    expect(source).not.toContain('pg_catalog');
  });

  it('keeps the names of classes, and names no function per call (scripts/bundle.mjs, classNamesOnly)', () => {
    const source = readFileSync(BUNDLE, 'utf8');
    // Classes: named once, where they are defined (TypeORM, Nest's logger contexts and errors read the names).
    expect(source).toContain('static{__className(this,"UsersService")}');
    expect(source).toContain('static{__className(this,"AppException")}');
    expect(source).not.toContain('static{__name(this,');
    // Functions: the per-call defineProperty that cost 40 % of the floor route's throughput is gone.
    expect(source).toContain('var __name=(target,value)=>target,');
  });

  it('serves no /docs in production unless DOCS_ENABLED says so', async () => {
    const other = await createTestDatabase();
    const started = await productionEnv(other);
    const quiet = spawnServer(started.env, other.dataDir);
    try {
      await waitForOk(`${started.url}/health/ready`, quiet, 40_000);
      expect((await fetch(`${started.url}/docs`)).status).toBe(404);
      expect((await fetch(`${started.url}/docs-json`)).status).toBe(404);
    } finally {
      quiet.child.kill('SIGTERM');
      await quiet.exited;
      await other.drop();
    }
  });
});
