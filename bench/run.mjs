#!/usr/bin/env node
/**
 * The performance benchmark of issue #7: `npm run bench` (builds first), or after a build
 * `node bench/run.mjs [--db sqlite|mysql] [--only login,refresh,...] [--profile] [--quick]`.
 *
 * Starts the built service through its production entry (bin/authcentre.cjs) as a child process on a free 127.0.0.1 port with a
 * temp DATA_DIR and production settings, seeds users through the API, then runs each scenario
 * with autocannon (as a library) after a warm-up, prints a table and writes bench/results.json.
 * `--db mysql` starts a throw-away MariaDB (as test/support/mariadb.ts does; needs mariadb-server).
 * `--profile` runs the service under `node --cpu-prof` (profiles in bench/profiles/).
 * `--env KEY=VALUE` (repeatable) adds to the service's environment (e.g. NODE_OPTIONS=...);
 * `--hash-pool N` sets the hashing pool size (HASH_POOL_SIZE, and so libuv's threads) of the
 * service and of (f).
 *
 * Diagnostics: BENCH_THREADS=1 logs each service thread's CPU per login (main thread = the
 * event loop; the threads created last are libuv's, hashing); BENCH_SMAPS=1 logs where the
 * service's resident memory is at the end (with `--env NODE_OPTIONS=--report-on-signal`, also
 * V8's heap spaces); BENCH_LOGIN_CONNECTIONS=N changes the login scenarios' connections (16).
 *
 * A benchmark, never a test: this machine also runs autocannon, so compare ratios of one run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import autocannon from 'autocannon';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILT = join(ROOT, 'dist', 'src', 'main.js');
/** The bundled production build (npm run build:prod), which the entry prefers when present. */
const BUNDLE = join(ROOT, 'dist', 'bundle', 'main.mjs');
/** The production entry (sizes libuv's pool, then loads BUNDLE or BUILT), as npm run start:prod and the image run it. */
const ENTRY = join(ROOT, 'bin', 'authcentre.cjs');
const RESULTS = join(ROOT, 'bench', 'results.json');

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '200' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: RESULTS },
    'hash-pool': { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
/** `--env KEY=VALUE` (repeatable): extra environment for the service only, e.g. NODE_OPTIONS. */
const SERVICE_ENV = Object.fromEntries(
  args.env.map((kv) => {
    const i = kv.indexOf('=');
    if (i < 1) fail(`--env wants KEY=VALUE, got ${kv}`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  }),
);
if (!['sqlite', 'mysql', 'mariadb'].includes(args.db)) fail(`--db must be sqlite, mysql or mariadb, got ${args.db}`);
const DB = args.db === 'sqlite' ? 'sqlite' : 'mysql';
const USERS = Number(args.users);
const ONLY = args.only ? new Set(args.only.split(',')) : null;
const want = (name) => !ONLY || ONLY.has(name);

/** Seconds of warm-up and of measurement; --quick halves them (smoke runs). */
const T = (s) => (args.quick ? Math.max(1, Math.round(s / 2)) : s);
const CHEAP_CONNECTIONS = 50;
const LOGIN_CONNECTIONS = Number(process.env.BENCH_LOGIN_CONNECTIONS) || 16;
/** The storm's /users/me probe: a fixed request rate, so its p99 shows event-loop delay, not queueing. */
const PROBE = { connections: 10, rate: 500 };

/**
 * The service hashes on libuv's thread pool (argon2 is a native addon using it), at most
 * HASH_POOL_SIZE at once, and bin/authcentre.cjs gives libuv as many threads (default: one per
 * core). The bench sets HASH_POOL_SIZE explicitly — that default, or `--hash-pool N` — and runs
 * the raw argon2 measurement (f) with as many verifies in flight on as many threads. The
 * threads seen runnable during (a) are reported as a cross-check.
 */
const HASH_POOL = Number(args['hash-pool'] ?? process.env.HASH_POOL_SIZE) || availableParallelism();
const HASH_ENV = { HASH_POOL_SIZE: String(HASH_POOL) };

const PASSWORD = 'Bench-Pa55word-horse-staple';
const ADMIN_PASSWORD = `Admin-${randomBytes(12).toString('hex')}`;

// --- the raw argon2 subprocess ---------------------------------------------------------------
if (process.env.BENCH_ARGON2_CHILD) {
  const [warm, secs, inFlight] = process.env.BENCH_ARGON2_CHILD.split(',').map(Number);
  const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  const hash = await argon2.hash(PASSWORD, options);
  const loop = async (until) => {
    let n = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (Date.now() < until) {
          if (!(await argon2.verify(hash, PASSWORD))) throw new Error('argon2 verify failed');
          n++;
        }
      }),
    );
    return n;
  };
  await loop(Date.now() + warm * 1000);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const n = await loop(Date.now() + secs * 1000);
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    JSON.stringify({ verifies: n, seconds: (performance.now() - started) / 1000, cpu_ms: (used.user + used.system) / 1000 }),
  );
  process.exit(0);
}

// --- small helpers ---------------------------------------------------------------------------
function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function exists(path) {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}

function findExecutable(names) {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    for (const name of names) {
      const p = join(dir, name);
      try {
        accessSync(p, fsConstants.X_OK);
        return p;
      } catch {
        /* next */
      }
    }
  }
  return null;
}

/** Kernel-kills a server if this process dies (util-linux setpriv, Linux); exec keeps the pid. */
const SETPRIV = process.platform === 'linux' ? findExecutable(['setpriv']) : null;
const children = new Set();
const tempDirs = new Set();

function spawnServer(command, argv, options) {
  const [file, list] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command, ...argv]] : [command, argv];
  const child = spawn(file, list, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  child.tail = '';
  const keep = (c) => {
    child.tail = (child.tail + c.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));

async function stopChild(child, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Resident set of a process in MB (Linux /proc), null elsewhere. */
function memoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return { rss: null, peak: null };
  }
}

/**
 * CPU used on this machine by processes other than the bench, the service and MariaDB
 * (Linux /proc): machines are shared and noisy, and this says when a number is suspect.
 */
const HZ = 100; // USER_HZ on Linux
const watched = new Set();
/** The throw-away MariaDB of `--db mysql` (its CPU per login is logged with BENCH_THREADS=1). */
let dbServerPid = null;
let servicePid = null;
function procTicks(pid, withChildren = false) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
  } catch {
    return 0;
  }
}
function cpuSnapshot() {
  try {
    const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    let own = procTicks('self', true);
    for (const pid of watched) own += procTicks(pid);
    return { busy, own, at: performance.now() };
  } catch {
    return null;
  }
}
/** Share of the machine's CPU (0..1) that others used between two snapshots. */
function foreignShare(a, b) {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  return Math.max(0, round((b.busy - a.busy - (b.own - a.own)) / HZ / (seconds * availableParallelism()), 3));
}

/**
 * Samples, every 20 ms, how many of the process's threads other than the main one are runnable
 * (Linux /proc). During a login storm that is the number of hashes running at once.
 */
function sampleRunnableThreads(pid) {
  let samples = 0;
  let total = 0;
  const timer = setInterval(() => {
    try {
      let n = 0;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        if (tid === String(pid)) continue;
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        if (stat[stat.lastIndexOf(')') + 2] === 'R') n++;
      }
      total += n;
      samples++;
    } catch {
      /* not Linux, or the process is gone */
    }
  }, 20);
  return { stop: () => (clearInterval(timer), samples ? round(total / samples, 2) : null) };
}

// --- MariaDB (mirrors test/support/mariadb.ts) -----------------------------------------------
async function startMariaDb() {
  const bins = {
    installDb: findExecutable(['mariadb-install-db', 'mysql_install_db']),
    server: findExecutable(['mariadbd']),
    admin: findExecutable(['mariadb-admin', 'mysqladmin']),
    client: findExecutable(['mariadb', 'mysql']),
  };
  if (Object.values(bins).some((b) => !b)) fail('mariadbd not found: install it with "apt-get install -y mariadb-server"');
  const root = tempDir('authcentre-bench-mariadb-');
  const dataDir = join(root, 'data');
  const socket = join(root, 'mariadb.sock');
  const osUser = process.env.USER || spawnSync('id', ['-un']).stdout.toString().trim() || 'root';
  const innodb = ['--innodb-log-file-size=16M', '--innodb-buffer-pool-size=64M'];
  const install = spawnSync(
    bins.installDb,
    ['--no-defaults', `--user=${osUser}`, `--datadir=${dataDir}`, '--skip-test-db', '--skip-name-resolve', ...innodb],
    {
      encoding: 'utf8',
    },
  );
  if (install.status !== 0) fail(`mariadb-install-db failed:\n${(install.stdout + install.stderr).slice(-2000)}`);
  const port = await freePort();
  const server = spawnServer(bins.server, [
    '--no-defaults',
    `--user=${osUser}`,
    `--datadir=${dataDir}`,
    `--socket=${socket}`,
    `--pid-file=${dataDir}.pid`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
    // As the e2e tests run it: durability off (a benchmark of the service, not of fsync).
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-doublewrite=0',
    '--skip-log-bin',
    ...innodb,
    '--max-connections=500',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--default-time-zone=+00:00',
  ]);
  watched.add(server.pid);
  dbServerPid = server.pid;
  const started = Date.now();
  for (;;) {
    if (server.exitCode !== null) fail(`mariadbd exited during startup:\n${server.tail}`);
    const ping = spawnSync(bins.admin, ['--no-defaults', `--socket=${socket}`, `--user=${osUser}`, 'ping'], { encoding: 'utf8' });
    if (ping.status === 0) break;
    if (Date.now() - started > 30_000) fail(`mariadbd not ready in 30 s:\n${server.tail}`);
    await sleep(50);
  }
  const password = randomBytes(16).toString('hex');
  const sql =
    'CREATE DATABASE bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; ' +
    `CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY '${password}'; ` +
    "GRANT ALL PRIVILEGES ON bench.* TO 'bench'@'127.0.0.1'; FLUSH PRIVILEGES;";
  const res = spawnSync(bins.client, ['--no-defaults', `--socket=${socket}`, `--user=${osUser}`, '-e', sql], { encoding: 'utf8' });
  if (res.status !== 0) fail(`mariadb client failed: ${res.stderr}`);
  return { url: `mariadb://bench:${password}@127.0.0.1:${port}/bench`, stop: () => stopChild(server) };
}

// --- the service -----------------------------------------------------------------------------
async function startService(dbUrl) {
  if (!exists(BUNDLE) && !exists(BUILT)) fail(`${BUILT} is missing: run "npm run bench" (it builds first) or "npm run build:prod"`);
  const port = await freePort();
  const dataDir = tempDir('authcentre-bench-');
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    DB_TYPE: DB,
    ...(DB === 'mysql' ? { DATABASE_URL: dbUrl } : { DB_PATH: join(dataDir, 'bench.sqlite') }),
    ENCRYPTION_KEY: 'q7Zk2mP9xR4tW8vB1nC6yH3jL5sD0fG2aE8uK4iO7bM=',
    JWT_REFRESH_SECRET: 'bench-refresh-secret-0123456789abcdef012345678',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD,
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    MAIL_TRANSPORT: 'file',
    REDIS_URL: '',
    ...HASH_ENV,
    ...SERVICE_ENV,
  };
  const nodeArgs = [];
  let profileDir = null;
  if (args.profile) {
    profileDir = join(ROOT, 'bench', 'profiles');
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const child = spawnServer(process.execPath, [...nodeArgs, ENTRY], { cwd: dataDir, env });
  watched.add(child.pid);
  servicePid = child.pid;
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) fail(`the service exited during startup (code ${child.exitCode}):\n${child.tail}`);
    try {
      const res = await fetch(`${base}/health/live`);
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() - started > 60_000) fail(`the service did not answer /health/live in 60 s:\n${child.tail}`);
    await sleep(100);
  }
  return { child, base, dataDir, profileDir };
}

async function api(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: json, text };
}

/** Runs fn over items with at most `limit` in flight. */
async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

// --- autocannon ------------------------------------------------------------------------------
function cannon(opts) {
  return new Promise((res, rej) => {
    const instance = autocannon({ timeout: 30, ...opts }, (err, result) => (err ? rej(err) : res(result)));
    autocannon.track(instance, {
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
      outputStream: process.stderr,
    });
  });
}

/**
 * What the table shows of an autocannon result. For runs bounded by `amount`, autocannon ends
 * (and stamps its duration) only at its next 1-second tick, so those pass their own `seconds`.
 */
function summary(result, ownSeconds) {
  const total = result.requests.total;
  const seconds = ownSeconds ?? result.duration;
  return {
    requests: total,
    seconds: round(seconds, 2),
    rps: round(total / seconds, 1),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    status: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
  };
}

function round(x, digits = 0) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Warm up, then measure, with the same autocannon options (without url). */
async function scenario(label, url, warmSeconds, options) {
  if (warmSeconds > 0) {
    log(`${label}: warm-up ${warmSeconds} s`);
    await cannon({ url, ...options, duration: warmSeconds });
  }
  log(`${label}: measuring`);
  return measured(() => cannon({ url, ...options }), summary);
}

/** Runs fn, summarises its result, and adds how much CPU other processes took meanwhile. */
async function measured(fn, summarise) {
  const a = cpuSnapshot();
  const serviceTicks = servicePid ? procTicks(servicePid) : 0;
  const loopTicks = servicePid ? procTicks(`${servicePid}/task/${servicePid}`) : 0;
  const result = await fn();
  const out = { ...summarise(result), foreign_cpu: foreignShare(a, cpuSnapshot()), rss_mb: servicePid ? memoryMb(servicePid).rss : null };
  // The service's own CPU (all its threads, hashing included) per request served.
  if (servicePid && out.requests) {
    out.service_cpu_ms_per_req = round(((procTicks(servicePid) - serviceTicks) * (1000 / HZ)) / out.requests, 2);
    // Of which the main thread (the event loop): what a request costs besides hashing.
    out.event_loop_cpu_ms_per_req = round(((procTicks(`${servicePid}/task/${servicePid}`) - loopTicks) * (1000 / HZ)) / out.requests, 3);
  }
  return out;
}

/** A diagnostic report of the running service (needs NODE_OPTIONS=--report-on-signal). */
async function signalReport(svc) {
  svc.child.kill('SIGUSR2');
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const file = readdirSync(svc.dataDir).find((f) => f.startsWith('report.'));
    if (file) {
      try {
        return JSON.parse(readFileSync(join(svc.dataDir, file), 'utf8'));
      } catch {
        /* still being written */
      }
    }
  }
  return null;
}

// --- main ------------------------------------------------------------------------------------
async function main() {
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    db: DB === 'mysql' ? 'mariadb' : 'sqlite',
    hash_pool: HASH_POOL,
    service_env: SERVICE_ENV,
    users: USERS,
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || null,
    dirty: (spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout ?? '').trim() !== '',
    // What bin/authcentre.cjs loads: the bundle when built (AUTHCENTRE_ENTRY=dist forces dist/src/main.js).
    entry:
      exists(BUNDLE) && (SERVICE_ENV.AUTHCENTRE_ENTRY ?? process.env.AUTHCENTRE_ENTRY) !== 'dist'
        ? 'dist/bundle/main.mjs'
        : 'dist/src/main.js',
    // The machine's load average when the run began (1, 5, 15 min): others share these cores.
    load_start: loadavg().map((l) => round(l, 2)),
  };
  const began = Date.now();
  let maria = null;
  if (DB === 'mysql') {
    log('starting MariaDB');
    maria = await startMariaDb();
  }
  log(`starting the service (${meta.db}, hash pool ${HASH_POOL})`);
  const svc = await startService(maria?.url);
  const { base } = svc;
  // Resident memory once it answers, before any request worth the name: mostly loaded code.
  await sleep(1000);
  const startMemory = memoryMb(svc.child.pid);
  const scenarios = {};
  const notes = [];

  // Seed: users through the API, one login each (access tokens for /users/me, first refresh tokens).
  log(`seeding ${USERS} users`);
  const names = Array.from({ length: USERS }, (_, i) => `bench_${i}_${randomBytes(3).toString('hex')}`);
  await pool(names, 8, async (username) => {
    const r = await api(base, 'POST', '/api/v1/auth/register', { username, password: PASSWORD, email: `${username}@example.com` });
    if (r.status !== 201) fail(`register ${username}: ${r.status} ${r.text}`);
  });
  const logins = await pool(names, 8, async (username) => {
    const r = await api(base, 'POST', '/api/v1/auth/login', { username, password: PASSWORD });
    if (r.status !== 200) fail(`login ${username}: ${r.status} ${r.text}`);
    return r.body.data;
  });
  const accessTokens = logins.map((d) => d.access_token);
  const refreshPool = logins.map((d) => d.refresh_token);
  const adminLogin = await api(base, 'POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  if (adminLogin.status !== 200) fail(`admin login: ${adminLogin.status} ${adminLogin.text}`);
  const adminToken = adminLogin.body.data.access_token;

  // Every seeded user's own ES256 access token (one login each): the guard verifies each one
  // once, then serves it from its cache of verified tokens, as it does for real clients.
  const meRequests = accessTokens.map((t) => ({ method: 'GET', path: '/api/v1/users/me', headers: { authorization: `Bearer ${t}` } }));
  const alg = JSON.parse(Buffer.from(accessTokens[0].split('.')[0], 'base64url').toString('utf8')).alg;
  // A confidential client for the OAuth scenarios, created through the admin API (docs/api.md §9).
  const created = await api(
    base,
    'POST',
    '/api/v1/clients',
    { name: 'bench service', type: 'confidential', grant_types: ['client_credentials'] },
    adminToken,
  );
  if (created.status !== 201) fail(`create client: ${created.status} ${created.text}`);
  const { client_id: clientId, client_secret: clientSecret } = created.body.data;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
  /** JWT access tokens to introspect: client_credentials tokens as (h) issues them, and the users' own. */
  const introspectPool = [...accessTokens];
  const MAX_INTROSPECT_TOKENS = 2000;
  const ccRequests = [
    {
      method: 'POST',
      path: '/oauth2/token',
      headers: form,
      body: 'grant_type=client_credentials',
      onResponse: (status, body) => {
        if (status === 200 && introspectPool.length < MAX_INTROSPECT_TOKENS) introspectPool.push(JSON.parse(body).access_token);
      },
    },
  ];
  // One request template; each request takes the next seeded user (round robin over all
  // connections), so the logins in flight at once are of distinct users: concurrent attempts
  // on one name hold its lockout slots (credentials/login-attempts.service.ts) and the
  // sixth at once is refused, which would measure the lockout, not sign-in.
  let nextLogin = 0;
  const loginRequests = (collect) => [
    {
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ username: names[nextLogin++ % names.length], password: PASSWORD }) }),
      // Every successful login adds a fresh refresh token to the refresh scenario's pool.
      onResponse: (status, body) => {
        if (status === 200) {
          if (collect) refreshPool.push(JSON.parse(body).data.refresh_token);
        } else refusals.set(`${status} ${body.slice(0, 160)}`, (refusals.get(`${status} ${body.slice(0, 160)}`) ?? 0) + 1);
      },
    },
  ];
  /** Logins answered other than 200, by status and body: reported as notes (a refusal is not a login). */
  const refusals = new Map();

  // (e) the framework floor
  if (want('floor')) {
    scenarios.floor = await scenario('health/live (floor)', `${base}/health/live`, T(2), {
      connections: CHEAP_CONNECTIONS,
      duration: T(8),
    });
  }
  // (c) an authenticated request with warm caches
  if (want('me')) {
    scenarios.me = await scenario('GET /users/me', base, T(2), { connections: CHEAP_CONNECTIONS, duration: T(8), requests: meRequests });
    scenarios.me.tokens = meRequests.length;
    scenarios.me.alg = alg;
  }
  // (h) the client_credentials grant: a confidential client authenticates (client_secret_basic)
  // and gets a signed JWT access token; every grant is audited (oauth.token).
  if (want('client_credentials') || want('introspect')) {
    scenarios.client_credentials = await scenario('POST /oauth2/token client_credentials', base, T(2), {
      connections: CHEAP_CONNECTIONS,
      duration: T(8),
      requests: ccRequests,
    });
  }
  // (i) RFC 7662 introspection by the client of (h), over many distinct JWT access tokens
  // (its own client_credentials tokens and the users' session tokens), round robin.
  if (want('introspect')) {
    const tokens = introspectPool.slice();
    let next = 0;
    let active = 0;
    const inactive = new Map();
    const requests = [
      {
        method: 'POST',
        path: '/oauth2/introspect',
        headers: form,
        setupRequest: (req) => ({ ...req, body: `token=${tokens[next++ % tokens.length]}&token_type_hint=access_token` }),
        onResponse: (status, body) => {
          if (status === 200 && body.startsWith('{"active":true')) active++;
          else inactive.set(`${status} ${body.slice(0, 120)}`, (inactive.get(`${status} ${body.slice(0, 120)}`) ?? 0) + 1);
        },
      },
    ];
    scenarios.introspect = await scenario(`POST /oauth2/introspect (${tokens.length} tokens)`, base, T(2), {
      connections: CHEAP_CONNECTIONS,
      duration: T(8),
      requests,
    });
    // Every answer must say active: an inactive answer is cheaper and would flatter the figure.
    scenarios.introspect.tokens = tokens.length;
    scenarios.introspect.active_share = round(active / Math.max(1, next), 3);
    for (const [what, n] of inactive) notes.push(`introspect answered ${n} times: ${what}`);
  }
  // (d) the admin list, if the route exists yet
  if (want('admin_list')) {
    const probe = await api(base, 'GET', '/api/v1/users?page_size=20', null, adminToken);
    if (probe.status === 404) {
      scenarios.admin_list = { missing: true, note: 'GET /api/v1/users answers 404: the admin routes are not in this build' };
      notes.push('admin_list: route missing (404)');
      log('GET /users: 404, reported as missing');
    } else {
      if (probe.status !== 200) notes.push(`admin_list: probe answered ${probe.status}`);
      scenarios.admin_list = await scenario('GET /users?page_size=20 (admin)', `${base}/api/v1/users?page_size=20`, T(2), {
        connections: CHEAP_CONNECTIONS,
        duration: T(8),
        headers: { authorization: `Bearer ${adminToken}` },
      });
    }
  }
  // (a) password login, rotating across the seeded users. Meanwhile the service's threads are
  // sampled: how many besides the event loop are runnable is how many hashes it runs at once.
  if (want('login')) {
    log(`POST /auth/login: warm-up ${T(3)} s`);
    await cannon({ url: base, connections: LOGIN_CONNECTIONS, duration: T(3), requests: loginRequests(true) });
    log('POST /auth/login: measuring');
    const sampler = sampleRunnableThreads(servicePid);
    const threadTicks = () =>
      Object.fromEntries(readdirSync(`/proc/${servicePid}/task`).map((tid) => [tid, procTicks(`${servicePid}/task/${tid}`)]));
    const before = process.env.BENCH_THREADS ? threadTicks() : null;
    const dbBefore = before && dbServerPid ? procTicks(dbServerPid) : null;
    scenarios.login = await measured(
      () => cannon({ url: base, connections: LOGIN_CONNECTIONS, duration: T(12), requests: loginRequests(true) }),
      summary,
    );
    scenarios.login.hashing_threads_observed = sampler.stop();
    if (before) {
      const after = threadTicks();
      log(
        `threads' CPU ms per login: ${Object.entries(after)
          .map(([tid, t]) => `${tid}:${round(((t - (before[tid] ?? 0)) * 10) / scenarios.login.requests, 2)}`)
          .join(' ')}`,
      );
      if (dbBefore !== null)
        log(`database server CPU ms per login: ${round(((procTicks(dbServerPid) - dbBefore) * 10) / scenarios.login.requests, 2)}`);
    }
  }
  // (f) raw argon2id verifies/s with as many in flight as the service hashes at once, while the
  // service idles.
  if (want('argon2') || want('login')) {
    const inFlight = HASH_POOL;
    log(`raw argon2id: ${inFlight} verifies in flight, UV_THREADPOOL_SIZE=${inFlight}`);
    const secs = T(8);
    const a = cpuSnapshot();
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      // The service's environment (e.g. malloc settings), and a pool of exactly `inFlight` threads.
      env: { ...process.env, ...SERVICE_ENV, UV_THREADPOOL_SIZE: String(inFlight), BENCH_ARGON2_CHILD: `${T(1)},${secs},${inFlight}` },
      encoding: 'utf8',
    });
    if (r.status !== 0) fail(`raw argon2 run failed: ${r.stderr}`);
    const { verifies, seconds, cpu_ms } = JSON.parse(r.stdout);
    scenarios.argon2 = {
      requests: verifies,
      seconds: round(seconds, 2),
      rps: round(verifies / seconds, 1),
      p50_ms: null,
      p99_ms: null,
      non2xx: 0,
      errors: 0,
      in_flight: inFlight,
      service_cpu_ms_per_req: round(cpu_ms / verifies, 2),
      foreign_cpu: foreignShare(a, cpuSnapshot()),
    };
  }
  // (g) /users/me at a fixed rate while a login storm keeps the hashing pool busy
  if (want('storm')) {
    log('login storm + GET /users/me probe');
    await cannon({ url: base, connections: LOGIN_CONNECTIONS, duration: T(2), requests: loginRequests(true) });
    const a = cpuSnapshot();
    const [storm, probe] = await Promise.all([
      cannon({ url: base, connections: LOGIN_CONNECTIONS, duration: T(10), requests: loginRequests(true) }),
      (async () => {
        await sleep(1000); // let the storm fill the pool first
        return cannon({
          url: base,
          connections: PROBE.connections,
          overallRate: PROBE.rate,
          duration: T(10) - 2,
          requests: meRequests,
        });
      })(),
    ]);
    const foreign = foreignShare(a, cpuSnapshot());
    scenarios.storm_login = { ...summary(storm), foreign_cpu: foreign };
    scenarios.storm_me = { ...summary(probe), offered_rps: PROBE.rate, foreign_cpu: foreign };
  }
  // (b) refresh: a FIFO pool of fresh refresh tokens, each used exactly once. Each successful
  // refresh hands back its session's next token, which joins the tail of the pool, so the pool
  // (every login's token) never runs dry and the run can be longer than the pool is deep.
  if (want('refresh')) {
    const queue = refreshPool.splice(0);
    let head = 0;
    let lastResponseAt = 0;
    const refreshRequests = [
      {
        method: 'POST',
        path: '/api/v1/auth/refresh',
        setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${queue[head++]}` } }),
        onResponse: (status, body) => {
          lastResponseAt = performance.now();
          if (status === 200) queue.push(JSON.parse(body).data.refresh_token);
        },
      },
    ];
    const amount = args.quick ? 3000 : 8000;
    const sessions = queue.length;
    log(`refresh: ${sessions} sessions in the pool; warm-up 1000, then ${amount} refreshes`);
    await cannon({ url: base, connections: CHEAP_CONNECTIONS, amount: 1000, requests: refreshRequests });
    const startedAt = performance.now();
    const result = await measured(
      () => cannon({ url: base, connections: CHEAP_CONNECTIONS, amount, requests: refreshRequests }),
      (r) => summary(r, (lastResponseAt - startedAt) / 1000),
    );
    scenarios.refresh = { ...result, sessions, tokens_used: head, unused_left: queue.length - head };
  }

  const memory = memoryMb(svc.child.pid);
  // And after 10 s without requests: V8 gives back part of its heap only once it sees the
  // allocation rate fall (its memory reducer), so the figure right after the run carries the
  // last scenario's garbage and moves from run to run.
  if (process.env.BENCH_SMAPS) {
    await sleep(10_000);
    memory.idle_10s = memoryMb(svc.child.pid).rss;
  }
  if (process.env.BENCH_SMAPS) {
    const by = {};
    let name = '';
    for (const l of readFileSync(`/proc/${svc.child.pid}/smaps`, 'utf8').split('\n')) {
      const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
      if (m) name = m[1] || '[anon]';
      else if (l.startsWith('Rss:')) by[name] = (by[name] ?? 0) + Number(l.split(/\s+/)[1]);
    }
    // SIGUSR2 ends a process that did not ask for it: only with --report-on-signal.
    const report = SERVICE_ENV.NODE_OPTIONS?.includes('--report-on-signal') ? await signalReport(svc) : null;
    if (report) {
      const r = report;
      log(
        `v8 heap: total ${Math.round(r.javascriptHeap.totalMemory / 1048576)} MB, used ${Math.round(r.javascriptHeap.usedMemory / 1048576)} MB; spaces ${Object.entries(
          r.javascriptHeap.heapSpaces,
        )
          .map(([k, v]) => `${k}=${Math.round(v.memorySize / 1048576)}`)
          .join(' ')}`,
      );
    }
    log(
      `smaps: ${Object.entries(by)
        .filter(([, kb]) => kb > 1024)
        .map(([n, kb]) => `${n}=${Math.round(kb / 1024)}MB`)
        .join(' ')}`,
    );
  }
  await stopChild(svc.child);
  if (maria) await maria.stop();

  // --- ratios, targets, output ---
  const s = scenarios;
  const ratio = (a, b) => (a && b && !a.missing && !b.missing ? round(a.rps / b.rps, 3) : null);
  const ratios = { login_vs_argon2: ratio(s.login, s.argon2), me_vs_floor: ratio(s.me, s.floor) };
  // Issue 19's targets (ratios are within this run; absolute rates depend on the machine).
  const loginTarget = DB === 'mysql' ? 0.8 : 0.85;
  const refreshTarget = DB === 'mysql' ? 1000 : 2000;
  const check = (name, value, ok, target, unit = '') => ({ name, target, unit, value, ok: value == null ? null : ok });
  const targets = [
    check(
      `login (${LOGIN_CONNECTIONS} concurrent) >= ${loginTarget} x raw argon2id`,
      ratios.login_vs_argon2,
      ratios.login_vs_argon2 >= loginTarget,
      loginTarget,
      'x',
    ),
    check(`/users/me (${s.me?.alg ?? 'ES256'}) >= 0.8 x floor`, ratios.me_vs_floor, ratios.me_vs_floor >= 0.8, 0.8, 'x'),
    check(
      `/users/me p99 at ${PROBE.rate}/s during the login storm <= 25 ms`,
      s.storm_me?.p99_ms ?? null,
      (s.storm_me?.p99_ms ?? Infinity) <= 25,
      25,
      'ms',
    ),
    check(`refresh >= ${refreshTarget}/s`, s.refresh?.rps ?? null, (s.refresh?.rps ?? 0) >= refreshTarget, refreshTarget, '/s'),
    check('client_credentials >= 1000/s', s.client_credentials?.rps ?? null, (s.client_credentials?.rps ?? 0) >= 1000, 1000, '/s'),
    check('introspection >= 2500/s', s.introspect?.rps ?? null, (s.introspect?.rps ?? 0) >= 2500, 2500, '/s'),
    check('RSS <= 200 MB after the run', memory.rss, memory.rss <= 200, 200, 'MB'),
  ];
  const cores = meta.cpus;
  const perCoreOf = (r) => (r && !r.missing ? round(r.rps / cores, 1) : null);
  /** Ours per core, beside published per-core figures (docs/performance.md cites them). */
  const perCore = {
    cores,
    login_per_core: perCoreOf(s.login),
    refresh_per_core: perCoreOf(s.refresh),
    client_credentials_per_core: perCoreOf(s.client_credentials),
    introspect_per_core: perCoreOf(s.introspect),
    published: {
      keycloak_login_per_vcpu: 15,
      keycloak_client_credentials_per_vcpu: 120,
      keycloak_refresh_per_vcpu: 120,
      hydra_introspect_per_cpu: round(5109 / 2, 1),
    },
  };
  for (const [what, n] of refusals) notes.push(`login answered ${n} times: ${what}`);
  for (const [key, r] of Object.entries(s)) {
    if (r.foreign_cpu > 0.05)
      notes.push(`${key}: other processes used ${Math.round(r.foreign_cpu * 100)} % of the CPU meanwhile; rerun on a quiet machine`);
  }
  const results = {
    meta: { ...meta, load_end: loadavg().map((l) => round(l, 2)), wall_seconds: round((Date.now() - began) / 1000, 1) },
    scenarios,
    ratios,
    memory_mb: { ...memory, after_start: startMemory.rss },
    per_core: perCore,
    targets,
    notes,
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);

  const LABELS = {
    login: '(a) POST /auth/login',
    refresh: '(b) POST /auth/refresh',
    me: '(c) GET /users/me',
    admin_list: '(d) GET /users?page_size=20',
    floor: '(e) GET /health/live (floor)',
    argon2: '(f) raw argon2id verify',
    storm_login: '(g) login storm',
    storm_me: `(g) GET /users/me @${PROBE.rate}/s in storm`,
    client_credentials: '(h) POST /oauth2/token client_credentials',
    introspect: '(i) POST /oauth2/introspect',
  };
  const rows = [['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'service CPU ms/req', 'event loop ms/req', "others' CPU"]];
  for (const [key, label] of Object.entries(LABELS)) {
    const r = s[key];
    if (!r) continue;
    if (r.missing) rows.push([label, 'missing', '', '', '', '', '', '']);
    else
      rows.push([
        label,
        String(r.rps),
        r.p50_ms ?? '–',
        r.p99_ms ?? '–',
        String(r.non2xx + r.errors),
        r.service_cpu_ms_per_req ?? '–',
        r.event_loop_cpu_ms_per_req ?? '–',
        r.foreign_cpu == null ? '–' : `${Math.round(r.foreign_cpu * 100)} %`,
      ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  const line = (row) =>
    `| ${row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join(' | ')} |`;
  const out = [
    `AuthCentre bench — ${meta.db}, ${cores} cores, hashing ${meta.hash_pool} at once${s.login?.hashing_threads_observed != null ? ` (observed ${s.login.hashing_threads_observed})` : ''}, node ${meta.node}, ${meta.commit ?? ''}${meta.dirty ? ' (dirty)' : ''}`,
    line(rows[0]),
    `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.slice(1).map(line),
    '',
    `service RSS after the run: ${memory.rss} MB (peak ${memory.peak} MB; ${startMemory.rss} MB once started${memory.idle_10s ? `, ${memory.idle_10s} MB after 10 s idle` : ''}); machine load ${meta.load_start.join(' ')} at start, ${results.meta.load_end.join(' ')} at end`,
    `login ÷ raw argon2id: ${ratios.login_vs_argon2 ?? '–'}   /users/me ÷ floor: ${ratios.me_vs_floor ?? '–'}`,
    `per core: ${perCore.login_per_core ?? '–'} logins/s, ${perCore.refresh_per_core ?? '–'} refreshes/s, ` +
      `${perCore.client_credentials_per_core ?? '–'} client_credentials/s, ${perCore.introspect_per_core ?? '–'} introspections/s ` +
      '(published: Keycloak 15 logins, 120 refreshes, 120 client_credentials per vCPU; Hydra 2,554 introspections per CPU)',
    `entry: ${meta.entry}`,
    '',
    ...targets.map(
      (t) => `${t.ok === null ? 'n/a ' : t.ok ? 'PASS' : 'MISS'}  ${t.name}: ${t.value ?? '–'}${t.unit} (target ${t.target}${t.unit})`,
    ),
    ...notes.map((n) => `note: ${n}`),
    svc.profileDir ? `cpu profile(s) in ${svc.profileDir}` : '',
    `results: ${args.out}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
