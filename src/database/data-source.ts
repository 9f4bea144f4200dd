import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app.config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * The one DataSource definition, used by the app (through TypeOrmModule) and by the
 * TypeORM CLI (through ormconfig.ts). The schema comes from migrations only.
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  } as const;

  if (config.db.type === 'mysql') {
    return {
      ...common,
      // TypeORM reads MariaDB's catalogue differently from MySQL's (e.g. column defaults);
      // a mariadb:// URL selects its MariaDB dialect.
      type: config.db.url?.startsWith('mariadb:') ? 'mariadb' : 'mysql',
      url: config.db.url?.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: config.db.poolSize,
      connectTimeout: config.db.timeoutMs,
      extra: {
        // Bound every wait so an unreachable database fails fast with 503, never hangs.
        connectTimeout: config.db.timeoutMs,
        enableKeepAlive: true,
        maxIdle: config.db.poolSize,
        idleTimeout: 60_000,
        queueLimit: 200,
      },
    };
  }

  // Only the service's own user reads the data folder and the database (docs/api.md §7). SQLite
  // gives its -wal and -shm files the mode of the database file.
  mkdirSync(dirname(config.db.path), { recursive: true, mode: 0o700 });
  closeSync(openSync(config.db.path, 'a', 0o600));
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.db.path,
    // WAL lets readers run beside the single writer; busy_timeout waits for the write lock.
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`busy_timeout = ${config.db.timeoutMs}`);
      db.pragma('foreign_keys = ON');
    },
  };
}

export function createDataSource(config: AppConfig): DataSource {
  return new DataSource(dataSourceOptions(config));
}
