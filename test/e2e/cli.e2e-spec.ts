import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, createTestDatabase, DB, startIssuer, type TestApp, type TestDatabase } from '../support/app.js';
import { CLI, fields, runCli, type CliResult } from '../support/cli.js';
import { OutputTail, spawnServer, stopChild } from '../support/child.js';
import { freePort } from '../support/ports.js';
import { createDatabase, startMariaDb, type MariaDbHandle } from '../support/mariadb.js';
import { discover } from '../support/oauth.js';
import { login } from '../support/users.js';

const ok = (r: CliResult) => {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
  return r;
};

/** A failure is one line on stderr, never a stack trace. */
const failed = (r: CliResult) => {
  expect(r.code, r.stdout).toBe(1);
  expect(r.stderr).toMatch(/^authcentre: .+/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr;
};

describe(`admin CLI (bin/cli.cjs) [${DB}]`, () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let t: TestApp | undefined;
  const cli = (args: string[], input?: string) => runCli(args, env, input);
  let alice: { username: string; password: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { ...baseEnv(db), LOGIN_MAX_FAILURES: '3' };
  });
  afterAll(async () => {
    if (t) await t.close();
    else await db?.drop();
  });

  it('documents itself: --help lists every command and exits 0; a bad command exits 1', async () => {
    const help = ok(await cli(['--help']));
    for (const command of [
      'serve',
      'create-admin',
      'reset-password',
      'unlock',
      'end-sessions',
      'rotate-keys',
      'create-client',
      'migrate',
    ]) {
      expect(help.stdout).toContain(command);
    }
    expect((await cli(['no-such-command'])).code).toBe(1);
    expect((await cli(['create-client', '--name', 'x'])).stderr).toContain("required option '--grant <grant...>'");
  });

  it('migrates a fresh database, then finds nothing to do', async () => {
    expect(fields(ok(await cli(['migrate'])).stdout).applied).toMatch(/InitialSchema/);
    expect(ok(await cli(['--json', 'migrate'])).stdout.trim()).toBe('{"applied":[]}');
  });

  it('creates an administrator whose generated password is printed once and signs in over HTTP', async () => {
    const r = ok(await cli(['create-admin', 'alice', '--email', 'alice@example.com']));
    const out = fields(r.stdout);
    expect(out.username).toBe('alice');
    expect(out.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(r.stdout.split(out.password).length - 1).toBe(1);
    expect(r.stderr).not.toContain(out.password);
    expect(r.stderr).toContain('Shown once');
    alice = { username: 'alice', password: out.password };

    t = await startIssuer({ LOGIN_MAX_FAILURES: '3' }, db);
    const tokens = await login(t.http, alice.username, alice.password);
    expect(tokens.user.permissions).toContain('key:manage');
    // The same name again: refused, exit 1, one line.
    expect(failed(await cli(['create-admin', 'alice']))).toContain('USERNAME_TAKEN');
    // A password the policy refuses, from stdin: named, not echoed.
    const weak = failed(await cli(['create-admin', 'bob', '--password-stdin'], 'password\n'));
    expect(weak).toContain('WEAK_PASSWORD');
  });

  it('unlocks a locked name', async () => {
    for (let i = 0; i < 3; i++) await t!.http.post('/api/v1/auth/login', { username: 'alice', password: 'wrong-password' });
    expect((await t!.http.post('/api/v1/auth/login', alice)).body.error).toBe('ACCOUNT_LOCKED');
    expect(fields(ok(await cli(['unlock', 'alice@example.com'])).stdout)).toEqual({ unlocked: 'alice', account: 'true' });
    await login(t!.http, alice.username, alice.password);
    // A name of nobody is unlocked too (its count is kept under the name).
    expect(fields(ok(await cli(['unlock', 'ghost'])).stdout)).toEqual({ unlocked: 'ghost', account: 'false' });
  });

  it('resets a password (from stdin: nothing printed but the account) and the old one stops working', async () => {
    const before = await login(t!.http, alice.username, alice.password);
    const next = 'Brand-New-Passphrase-2026';
    const r = ok(await cli(['reset-password', 'alice', '--password-stdin'], `${next}\n`));
    expect(r.stdout).not.toContain(next);
    expect(fields(r.stdout)).toMatchObject({ username: 'alice', sessions: 'ended' });
    expect((await t!.http.post('/api/v1/auth/login', alice)).status).toBe(401);
    expect((await t!.http.post('/api/v1/auth/refresh', undefined, { token: before.refresh_token })).status).toBe(401);
    alice.password = next;
    // Generated: printed once.
    const generated = fields(ok(await cli(['reset-password', 'alice'])).stdout).password;
    expect(generated).toMatch(/^[A-Za-z0-9_-]{24}$/);
    alice.password = generated;
    await login(t!.http, alice.username, alice.password);
    expect(failed(await cli(['reset-password', 'nobody-here']))).toContain('no account');
  });

  it('ends the sessions of a user: the refresh token is refused', async () => {
    const tokens = await login(t!.http, alice.username, alice.password);
    ok(await cli(['end-sessions', 'alice']));
    const refused = await t!.http.post('/api/v1/auth/refresh', undefined, { token: tokens.refresh_token });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('TOKEN_REVOKED');
  });

  it('creates an OAuth client whose printed secret works for client_credentials', async () => {
    const r = ok(
      await cli([
        'create-client',
        '--name',
        'Nightly job',
        '--grant',
        'client_credentials',
        '--role',
        'ADMIN',
        '--client-id',
        'nightly-job',
      ]),
    );
    const out = fields(r.stdout);
    expect(out.client_id).toBe('nightly-job');
    expect(out.client_secret).toMatch(/^[A-Za-z0-9_-]{30,}$/);
    expect(r.stderr).not.toContain(out.client_secret);
    const config = await discover(t!.url, { id: out.id, client_id: out.client_id, client_secret: out.client_secret });
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTruthy();
    expect(failed(await cli(['create-client', '--name', 'x', '--grant', 'client_credentials', '--role', 'NOT_A_ROLE']))).toContain(
      'NOT_A_ROLE',
    );
    expect(failed(await cli(['create-client', '--name', 'x', '--grant', 'implicit']))).toContain('VALIDATION_FAILED');
  });

  it('rotates the signing keys: the JWKS changes on the running server', async () => {
    const kids = async () => ((await t!.http.get('/oauth2/jwks')).body.keys as { kid: string }[]).map((k) => k.kid).sort();
    const before = await kids();
    const r = ok(await cli(['--json', 'rotate-keys']));
    const rotated = JSON.parse(r.stdout).keys as { kid: string; alg: string; status: string }[];
    expect(rotated.map((k) => [k.alg, k.status])).toEqual([
      ['ES256', 'active'],
      ['RS256', 'active'],
    ]);
    // The server reloads its keys within 5 s (docs/api.md §8).
    const deadline = Date.now() + 10_000;
    let after = await kids();
    while (rotated.some((k) => !after.includes(k.kid)) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 250));
      after = await kids();
    }
    expect(after).toEqual(expect.arrayContaining([...before, ...rotated.map((k) => k.kid)]));
    // New tokens are signed with the new key.
    const tokens = await login(t!.http, alice.username, alice.password);
    const header = JSON.parse(Buffer.from(tokens.access_token.split('.')[0], 'base64url').toString());
    expect(header.kid).toBe(rotated.find((k) => k.alg === 'ES256')!.kid);
  });

  it('audits every command with the actor cli, and prints a stack trace only with --debug', async () => {
    const token = (await login(t!.http, alice.username, alice.password)).access_token;
    const res = await t!.http.get('/api/v1/audit-logs', { token, query: { actor_id: 'cli', page_size: 100 } });
    expect(res.status).toBe(200);
    const actions = new Set((res.body.data.items as { action: string; actor_id: string }[]).map((i) => i.action));
    for (const action of [
      'schema.migrate',
      'user.create',
      'user.unlock',
      'user.password.set',
      'user.sessions.revoke',
      'client.create',
      'key.create',
      'key.activate',
    ]) {
      expect(actions, action).toContain(action);
    }
    expect((res.body.data.items as { actor_id: string }[]).every((i) => i.actor_id === 'cli')).toBe(true);
    expect((res.body.data.items as { user_agent: string }[])[0].user_agent).toMatch(/^authcentre-cli \(/);

    const debug = await cli(['--debug', 'end-sessions', 'nobody-here']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('starts the server with no command, and with serve', async () => {
    for (const args of [[], ['serve']]) {
      const port = await freePort();
      const tail = new OutputTail();
      const child = spawnServer(process.execPath, [CLI, ...args], tail, {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, PORT: String(port), HOST: '127.0.0.1' },
      });
      try {
        const deadline = Date.now() + 20_000;
        let status = 0;
        while (status !== 200 && Date.now() < deadline) {
          status = await fetch(`http://127.0.0.1:${port}/health/live`).then(
            (r) => r.status,
            () => 0,
          );
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status, tail.tail()).toBe(200);
      } finally {
        await stopChild(child);
      }
    }
  });

  it('refuses a bad configuration with the variable named', async () => {
    const r = await runCli(['migrate'], { ...env, DB_TYPE: 'postgres' });
    expect(failed(r)).toContain('DB_TYPE');
  });
});

// A few commands against a real MariaDB in both runs: the SQLite run starts a server of its own
// for them, the MySQL run (which does every command there above) uses a fresh database of its server.
describe('admin CLI against MariaDB', () => {
  let server: MariaDbHandle | undefined;
  let env: Record<string, string>;
  let db: TestDatabase;

  beforeAll(async () => {
    if (DB === 'mysql') {
      db = await createTestDatabase('mysql');
      env = baseEnv(db);
      return;
    }
    server = await startMariaDb();
    db = await createTestDatabase('sqlite');
    const url = await createDatabase(server, 'cli_test');
    env = { ...baseEnv(db), DB_TYPE: 'mysql', DATABASE_URL: url.replace(/^mysql:/, 'mariadb:') };
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
    await db?.drop();
  });

  it('migrates, creates an administrator and rotates keys', async () => {
    expect(fields(ok(await runCli(['migrate'], env)).stdout).applied).toMatch(/InitialSchema/);
    expect(fields(ok(await runCli(['create-admin', 'carol'], env)).stdout).username).toBe('carol');
    expect(JSON.parse(ok(await runCli(['--json', 'rotate-keys', '--alg', 'ES256'], env)).stdout).keys).toHaveLength(1);
  });
});
