import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { inject } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/app.config.js';
import { resolveSecrets } from '../../src/config/secrets.js';
import { createDatabase, dropDatabase } from './mariadb.js';
import { Http } from './http.js';
import { freePort } from './ports.js';

export type DbKind = 'sqlite' | 'mysql';
export const DB: DbKind = process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';

export const ADMIN = { username: 'admin', password: 'Adm1n-Secret-Passphrase' };

/** Where an app's data lives, so a second app can be started on the same database. */
export interface TestDatabase {
  kind: DbKind;
  dataDir: string;
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh, empty database: a temp SQLite file, or a new database in the test MariaDB. */
export async function createTestDatabase(kind: DbKind = DB): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'authcentre-test-'));
  if (kind === 'sqlite') {
    return {
      kind,
      dataDir,
      env: { DB_TYPE: 'sqlite', DB_PATH: join(dataDir, 'app.sqlite') },
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const server = inject('mariadb');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const url = await createDatabase(server, name);
  return {
    kind,
    dataDir,
    // mariadb:// selects TypeORM's MariaDB dialect (see data-source.ts).
    env: { DB_TYPE: 'mysql', DATABASE_URL: url.replace(/^mysql:/, 'mariadb:') },
    drop: async () => {
      await dropDatabase(server, name);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  http: Http;
  db: TestDatabase;
  /** Closes the app; drops the database unless `keepDatabase`. */
  close(opts?: { keepDatabase?: boolean }): Promise<void>;
}

/**
 * Passport keeps strategies in one process-wide registry, so every app started in one
 * test worker must share the JWT keys (in production there is one app per process).
 */
const WORKER_SECRETS = {
  JWT_REFRESH_SECRET: randomBytes(32).toString('base64url'),
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

/** The env every test app starts from; a test overrides what it exercises. */
export function baseEnv(db: TestDatabase): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: db.dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    MAIL_TRANSPORT: 'file',
    ...WORKER_SECRETS,
    ...db.env,
  };
}

/**
 * Starts the real app on its own free port with PUBLIC_URL naming it, so its OpenID issuer
 * (`${url}/oauth2`) is the URL clients discover it at.
 */
export async function startIssuer(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
  const port = await freePort();
  return startApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...env }, database);
}

/** Starts the real app over HTTP on a free port, on a fresh database (or the one given). */
export async function startApp(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const config = resolveSecrets(loadConfig({ ...baseEnv(db), ...env }));
  const app = await createApp(config);
  await app.listen({ port: config.http.port, host: '127.0.0.1' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return {
    app,
    config,
    url,
    http: new Http(url),
    db,
    async close(opts = {}) {
      await app.close();
      if (!opts.keepDatabase) await db.drop();
    },
  };
}
