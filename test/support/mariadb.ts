/**
 * A real MariaDB server for end-to-end tests, run as a plain child process in
 * a temporary folder (no Docker, no system service): `mariadb-install-db` into a temp
 * data folder, then `mariadbd --no-defaults` on a free port (README, "Tests").
 *
 *   const db = await startMariaDb();
 *   const url = await createDatabase(db, 'e2e_1');   // mysql://test:…@127.0.0.1:PORT/e2e_1
 *   …
 *   await db.stop();  await db.start();               // fault tests: same datadir, same port
 *   await db.destroy();                               // stop + remove the temp folder
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createConnection } from 'mysql2/promise';
import { freePort } from './ports.js';
import { createTempRoot, findExecutable, isRunning, OutputTail, removeTempRoot, run, sleep, spawnServer, stopChild } from './child.js';

export const MARIADB_INSTALL_HINT = 'mariadbd not found: install it with "apt-get install -y mariadb-server" (Debian) — .ci/run does this';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const TEST_USER = 'test';

export interface MariaDbCredentials {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface MariaDbHandle extends MariaDbCredentials {
  /** Unix socket of the server (root access via the OS user, for admin tasks). */
  socket: string;
  /** The server's data directory (inside a temp folder removed by destroy()). */
  dataDir: string;
  /** SIGTERM the server and wait for it to exit (SIGKILL after 10 s). Keeps the data. Idempotent. */
  stop(): Promise<void>;
  /** Restart the same datadir on the same port after stop(). No-op if already running. */
  start(): Promise<void>;
  /** stop() and remove the temp folder. Idempotent; the handle is unusable afterwards. */
  destroy(): Promise<void>;
}

export interface MariaDbBinaries {
  installDb: string;
  server: string;
  admin: string;
  client: string;
}

/** Locate the MariaDB server and tools; null if any of them is missing. */
export function findMariaDbBinaries(): MariaDbBinaries | null {
  const installDb = findExecutable(['mariadb-install-db', 'mysql_install_db']);
  // Only mariadbd: a MySQL `mysqld` takes different bootstrap flags.
  const server = findExecutable(['mariadbd']);
  const admin = findExecutable(['mariadb-admin', 'mysqladmin']);
  const client = findExecutable(['mariadb', 'mysql']);
  if (!installDb || !server || !admin || !client) return null;
  return { installDb, server, admin, client };
}

/** Build a mysql:// URL for a database on the given server. */
export function mariaDbUrl(h: MariaDbCredentials, database: string): string {
  return `mysql://${encodeURIComponent(h.user)}:${encodeURIComponent(h.password)}@${h.host}:${h.port}/${database}`;
}

const SAFE_DB_NAME = /^[A-Za-z0-9_]{1,64}$/;

function assertDbName(name: string): void {
  if (!SAFE_DB_NAME.test(name)) {
    throw new Error(`invalid database name ${JSON.stringify(name)}: use 1-64 of [A-Za-z0-9_]`);
  }
}

/** CREATE DATABASE `name` (utf8mb4 / utf8mb4_unicode_ci) over TCP; returns its mysql:// URL. */
export async function createDatabase(h: MariaDbCredentials, name: string): Promise<string> {
  assertDbName(name);
  const conn = await createConnection({ host: h.host, port: h.port, user: h.user, password: h.password });
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
  return mariaDbUrl(h, name);
}

/** DROP DATABASE IF EXISTS `name` over TCP. */
export async function dropDatabase(h: MariaDbCredentials, name: string): Promise<void> {
  assertDbName(name);
  const conn = await createConnection({ host: h.host, port: h.port, user: h.user, password: h.password });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

/** Options shared by mariadb-install-db (bootstrap) and mariadbd so the InnoDB files match. */
const INNODB_FILE_OPTS = ['--innodb-log-file-size=16M', '--innodb-buffer-pool-size=64M'];

function serverArgs(osUser: string, dataDir: string, socket: string, port: number): string[] {
  return [
    '--no-defaults', // must be first: ignore /etc/mysql/*.cnf
    `--user=${osUser}`, // mariadbd refuses to run as root without --user=root
    `--datadir=${dataDir}`,
    `--socket=${socket}`,
    `--pid-file=${dataDir}.pid`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
    // Test speed: durability is irrelevant here.
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-doublewrite=0',
    '--skip-log-bin',
    ...INNODB_FILE_OPTS,
    '--max-connections=500',
    // Match what the app expects from a production MySQL.
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--default-time-zone=+00:00',
  ];
}

function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const PORT_IN_USE = /Address already in use|Do you already have another server running/i;

class MariaDbServer implements MariaDbHandle {
  readonly host = '127.0.0.1';
  readonly user = TEST_USER;
  readonly password = randomBytes(16).toString('hex');
  readonly socket: string;
  readonly dataDir: string;
  port = 0;

  private child: ChildProcess | undefined;
  private readonly out = new OutputTail();
  private stopping: Promise<void> | undefined;
  private destroyed = false;

  constructor(
    private readonly bins: MariaDbBinaries,
    private readonly rootDir: string,
    private readonly osUser: string,
  ) {
    this.dataDir = join(rootDir, 'data');
    this.socket = join(rootDir, 'mariadb.sock');
  }

  async install(): Promise<void> {
    const res = await run(this.bins.installDb, [
      '--no-defaults',
      `--user=${this.osUser}`,
      `--datadir=${this.dataDir}`,
      '--skip-test-db',
      '--skip-name-resolve',
      ...INNODB_FILE_OPTS,
    ]);
    if (res.code !== 0) {
      throw new Error(
        `mariadb-install-db failed (exit ${String(res.code)}):\n${(res.stdout + res.stderr).trimEnd().split('\n').slice(-30).join('\n')}`,
      );
    }
  }

  /** First start: picks a free port, retrying if another process grabbed it first. */
  async firstStart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.start();
        return;
      } catch (err) {
        if (attempt >= 3 || !PORT_IN_USE.test(this.out.tail(200))) throw err;
      }
    }
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error('MariaDB handle was destroyed');
    if (this.stopping) await this.stopping;
    if (isRunning(this.child)) return;
    this.out.clear();
    const child = spawnServer(this.bins.server, serverArgs(this.osUser, this.dataDir, this.socket, this.port), this.out);
    this.child = child;
    await this.waitReady(child);
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < READY_TIMEOUT_MS) {
      if (!isRunning(child)) {
        throw new Error(
          `mariadbd exited during startup (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) on port ${this.port}; output tail:\n${this.out.tail()}`,
        );
      }
      const ping = await run(this.bins.admin, ['--no-defaults', `--socket=${this.socket}`, `--user=${this.osUser}`, 'ping'], 5_000);
      if (ping.code === 0) return;
      await sleep(50);
    }
    await stopChild(child, 2_000);
    throw new Error(
      `mariadbd did not become ready within ${READY_TIMEOUT_MS / 1000} s on port ${this.port} (datadir ${this.dataDir}); output tail:\n${this.out.tail()}`,
    );
  }

  /** Run SQL as the OS user (root) over the unix socket. */
  async adminSql(sql: string): Promise<void> {
    const res = await run(this.bins.client, ['--no-defaults', `--socket=${this.socket}`, `--user=${this.osUser}`, '-e', sql]);
    if (res.code !== 0) throw new Error(`mariadb client failed (exit ${String(res.code)}): ${res.stderr.trim()}`);
  }

  async createTestUser(): Promise<void> {
    const account = `${sqlString(this.user)}@'127.0.0.1'`;
    await this.adminSql(
      `CREATE USER ${account} IDENTIFIED BY ${sqlString(this.password)}; ` +
        `GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION; FLUSH PRIVILEGES;`,
    );
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const child = this.child;
    if (!child || !isRunning(child)) return Promise.resolve();
    this.stopping = stopChild(child, STOP_GRACE_MS).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.stop();
    await removeTempRoot(this.rootDir);
  }
}

/**
 * Initialise a fresh datadir in a temp folder, start mariadbd on a free
 * 127.0.0.1 port, and create user `test`@`127.0.0.1` (random password, ALL
 * PRIVILEGES ON *.* WITH GRANT OPTION). Throws MARIADB_INSTALL_HINT if the
 * binaries are missing.
 */
export async function startMariaDb(): Promise<MariaDbHandle> {
  const bins = findMariaDbBinaries();
  if (!bins) throw new Error(MARIADB_INSTALL_HINT);
  const rootDir = await createTempRoot('authcentre-mariadb-');
  const server = new MariaDbServer(bins, rootDir, userInfo().username);
  try {
    await server.install();
    await server.firstStart();
    await server.createTestUser();
    return server;
  } catch (err) {
    await server.destroy();
    throw err;
  }
}
