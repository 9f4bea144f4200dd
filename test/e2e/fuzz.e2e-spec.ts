import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { idOf } from '../support/admin.js';
import { problemsOf, type Answer } from '../support/fuzz/contract.js';
import { AUTH_SCHEMES, requestArb, VICTIM_SLOT, type AuthState, type FuzzRequest, type FuzzWorld } from '../support/fuzz/generators.js';
import { EXTRA_OPERATIONS, operationsOf, type IdKind, type Operation, type Schema } from '../support/fuzz/operations.js';
import { rawRequest } from '../support/fuzz/raw-http.js';
import { claimsOf, es256Signer, forgeTokens, hs256Signer, type ForgedTokens } from '../support/fuzz/tokens.js';
import { KeyStore } from '../../src/keys/key-store.js';

/**
 * Issue #12: the service as a hostile client meets it. Every operation of the live
 * OpenAPI document (so a new route is fuzzed the day it lands), the docs and unknown
 * paths, with random and hostile bodies, types, keys, encodings, content types, query
 * strings, path ids, headers and tokens, in ten auth states, several requests at once.
 *
 * Any answer fails the run when it is a 5xx, lacks X-Request-Id, is outside the envelope
 * (or has a key its status does not have), leaks a stack, SQL, a hash or a secret, or
 * takes over 5 s. Afterwards the service must be healthy and no privilege changed.
 *
 * Seeded and bounded: FUZZ_SEED and FUZZ_RUNS (batches of BATCH requests) reproduce or
 * extend a run; a failure prints both.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 1202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const BATCH = 6;
const SLOW_MS = 5000;

/** Administrative audit actions: only an administrator may ever have done them. */
const ADMIN_ACTIONS = [
  'user.create',
  'user.update',
  'user.delete',
  'user.roles.set',
  'user.password.set',
  'user.unlock',
  'user.sessions.revoke',
  'role.create',
  'role.update',
  'role.delete',
  'role.permissions.set',
  'permission.create',
  'permission.update',
  'permission.delete',
];

/** Answers that say the request never got past the gate: token, permission, validation, routing. */
const GATE_KEYS = new Set([
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'UNAUTHENTICATED',
  'INVALID_TOKEN',
  'TOKEN_EXPIRED',
  'TOKEN_REVOKED',
  'INVALID_TOKEN_TYPE',
  'FORBIDDEN',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]);

interface Account {
  id: string;
  username: string;
  password: string;
  access: string;
  refresh: string;
}

const hex = (n: number) => randomBytes(n).toString('hex');

describe(`fuzz [${DB}]`, () => {
  let t: TestApp;
  let doc: Schema;
  let ops: Operation[];
  let root: Account; // the seeded SUPER_ADMIN: setup, repairs and the final checks only
  let fuzzAdmin: Account; // a second SUPER_ADMIN, the fuzzer's "admin" state
  let plain: Account; // a plain user, the fuzzer's "user" and "refresh_as_access" states
  let forged: ForgedTokens;
  let world: FuzzWorld;
  let secrets: string[];
  const before: { systemRoles: Record<string, string[]>; systemPermissions: string[] } = { systemRoles: {}, systemPermissions: [] };

  const api = (method: string, path: string, token?: string, json?: unknown) => t.http.req(method, path, { token, json });

  async function login(username: string, password: string): Promise<{ status: number; body: any }> {
    const res = await api('POST', '/api/v1/auth/login', undefined, { username, password });
    return { status: res.status, body: res.body };
  }

  /** Signs an account in again; unlocks it first if the fuzzer's wrong passwords locked it. */
  async function relogin(account: Account): Promise<void> {
    let res = await login(account.username, account.password);
    if (res.status === 403) {
      const unlock = await api('POST', `/api/v1/users/${account.id}/unlock`, root.access);
      expect(unlock.status, `unlock ${account.username}: ${JSON.stringify(unlock.body)}`).toBe(200);
      res = await login(account.username, account.password);
    }
    expect(res.status, `login ${account.username}: ${JSON.stringify(res.body)}`).toBe(200);
    account.access = res.body.data.access_token;
    account.refresh = res.body.data.refresh_token;
  }

  async function createAccount(prefix: string, roleCodes: string[]): Promise<Account> {
    const username = `${prefix}_${hex(4)}`;
    const password = `Fz-${hex(10)}-Pw`;
    const role_ids = await Promise.all(roleCodes.map((code) => idOf(t.http, root.access, 'roles', code)));
    // An email, so routes about it (the verification mail of §12) have something to act on.
    const res = await api('POST', '/api/v1/users', root.access, { username, password, role_ids, email: `${username}@example.test` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const account: Account = { id: res.body.data.id, username, password, access: '', refresh: '' };
    await relogin(account);
    return account;
  }

  async function all(path: string, token: string): Promise<any[]> {
    const items: any[] = [];
    for (let page = 1; ; page++) {
      const res = await api('GET', `${path}?page=${page}&page_size=100`, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      items.push(...res.body.data.items);
      if (items.length >= res.body.data.total || res.body.data.items.length === 0) return items;
    }
  }

  async function systemData(token: string) {
    const roles = await all('/api/v1/roles', token);
    const permissions = await all('/api/v1/permissions', token);
    return {
      systemRoles: Object.fromEntries(
        roles.filter((r) => r.is_system).map((r) => [r.code, r.permissions.map((p: { code: string }) => p.code).sort()]),
      ) as Record<string, string[]>,
      systemPermissions: permissions
        .filter((p) => p.is_system)
        .map((p) => p.code)
        .sort() as string[],
      allPermissions: permissions.map((p) => p.code).sort() as string[],
      roleIds: roles.map((r) => r.id as number),
      permissionIds: permissions.map((p) => p.id as number),
    };
  }

  beforeAll(async () => {
    // A seeded admin whose name the fuzzer cannot guess, so its wrong passwords never lock it out.
    // Its password is random too: the harness's fixed one is an example in the OpenAPI document.
    const rootName = `root_${hex(4)}`;
    const rootPassword = `Root-${hex(12)}`;
    t = await startApp({ ADMIN_USERNAME: rootName, ADMIN_PASSWORD: rootPassword });
    root = { id: '', username: rootName, password: rootPassword, access: '', refresh: '' };
    const first = await login(rootName, rootPassword);
    expect(first.status).toBe(200);
    root.id = first.body.data.user.id;
    root.access = first.body.data.access_token;

    fuzzAdmin = await createAccount('fz_admin', ['SUPER_ADMIN']);
    plain = await createAccount('fz_user', ['USER']);

    // Victims: what the fuzzer may change and delete.
    const victimUsers: string[] = [];
    let victimTokens: string[] = [];
    for (const roles of [['USER'], ['USER'], ['ADMIN']]) {
      const victim = await createAccount('fz_victim', roles);
      victimUsers.push(victim.id);
      victimTokens = [victim.access, victim.refresh];
    }
    const victimRoles: string[] = [];
    const victimPermissions: string[] = [];
    for (let i = 0; i < 2; i++) {
      const role = await api('POST', '/api/v1/roles', root.access, { code: `FZ_VICTIM_${hex(3).toUpperCase()}`, name: `victim ${i}` });
      expect(role.status, JSON.stringify(role.body)).toBe(201);
      victimRoles.push(String(role.body.data.id));
      const permission = await api('POST', '/api/v1/permissions', root.access, { code: `fz:victim-${hex(3)}`, name: `victim ${i}` });
      expect(permission.status, JSON.stringify(permission.body)).toBe(201);
      victimPermissions.push(String(permission.body.data.id));
    }
    // Older sessions of the plain user, for DELETE /users/me/sessions/{id}; its current one stays.
    for (let i = 0; i < 3; i++) expect((await login(plain.username, plain.password)).status).toBe(200);
    await relogin(plain);
    const sessions = await api('GET', '/api/v1/users/me/sessions', plain.access);
    const current = claimsOf(plain.access).sid;
    // Keys in status next (deletable, activatable) and clients: the /signing-keys and /clients victims.
    const victimKeys: string[] = [];
    const victimClients: string[] = [];
    for (let i = 0; i < 3; i++) {
      victimKeys.push((await api('POST', '/api/v1/signing-keys', root.access, { alg: 'ES256' })).body.data.kid);
      victimClients.push(
        (
          await api('POST', '/api/v1/clients', root.access, {
            name: `victim ${i}`,
            type: 'confidential',
            grant_types: ['client_credentials'],
          })
        ).body.data.id,
      );
    }
    const victimSessions = sessions.body.data.map((s: { id: string }) => s.id).filter((id: string) => id !== current);

    const active = t.app.get(KeyStore).signingKey('ES256');
    forged = forgeTokens(plain.access, es256Signer(active.privateKey, active.kid), root.id);
    const data = await systemData(root.access);
    before.systemRoles = data.systemRoles;
    before.systemPermissions = data.systemPermissions;
    world = {
      victims: {
        user: victimUsers,
        role: victimRoles,
        permission: victimPermissions,
        session: victimSessions,
        key: victimKeys,
        client: victimClients,
        other: [],
      },
      roleIds: data.roleIds,
      permissionIds: data.permissionIds,
      bodyTokens: [
        ...victimTokens,
        ...forged.expired,
        ...forged.garbage.slice(0, 6),
        ...forged.algNone.slice(0, 2),
        // Refresh tokens signed with the real refresh key, with claims it never issues.
        ...forgeTokens(plain.refresh, hs256Signer(t.config.jwt.refreshSecret!), root.id).oddClaims,
      ],
    };
    secrets = [t.config.jwt.refreshSecret!, root.password, fuzzAdmin.password, plain.password];

    // The live document: what the running service says it serves.
    const docs = await t.http.get('/docs-json');
    expect(docs.status).toBe(200);
    doc = docs.body;
    ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(30);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const tokensOf = (state: AuthState): string[] | undefined => {
    switch (state) {
      case 'anonymous':
        return undefined;
      case 'user':
        return [plain.access];
      case 'admin':
        return [fuzzAdmin.access];
      case 'refresh_as_access':
        return [plain.refresh];
      case 'expired':
        return forged.expired;
      case 'alg_none':
        return forged.algNone;
      case 'wrong_key':
        return forged.wrongKey;
      case 'tampered':
        return forged.tampered;
      case 'odd_claims':
        return forged.oddClaims;
      case 'garbage':
        return forged.garbage;
    }
  };

  /** The target with each victim slot replaced by the victim in it now, and the slots used. */
  function resolveTarget(target: string): { target: string; slots: [IdKind, number][] } {
    const slots: [IdKind, number][] = [];
    const resolved = target.replace(VICTIM_SLOT, (_, kind: string, index: string) => {
      const list = world.victims[kind.toLowerCase() as IdKind];
      const slot = Number(index) % list.length;
      slots.push([kind.toLowerCase() as IdKind, slot]);
      return kind === kind.toUpperCase() ? list[slot].toUpperCase() : list[slot];
    });
    return { target: resolved, slots };
  }

  /** A fresh victim for a slot whose victim the fuzzer deleted, so later requests still find one there. */
  async function replaceVictim(kind: IdKind, slot: number): Promise<void> {
    let id: string;
    if (kind === 'user') {
      const res = await api('POST', '/api/v1/users', root.access, { username: `fz_victim_${hex(4)}`, password: `Fz-${hex(10)}-Pw` });
      id = res.body.data.id;
    } else if (kind === 'role' || kind === 'permission') {
      const code = kind === 'role' ? `FZ_VICTIM_${hex(3).toUpperCase()}` : `fz:victim-${hex(3)}`;
      const res = await api('POST', `/api/v1/${kind}s`, root.access, { code, name: 'victim' });
      id = String(res.body.data.id);
    } else if (kind === 'session') {
      id = claimsOf((await login(plain.username, plain.password)).body.data.access_token).sid as string;
    } else if (kind === 'key') {
      id = (await api('POST', '/api/v1/signing-keys', root.access, { alg: 'ES256' })).body.data.kid;
    } else if (kind === 'client') {
      id = (
        await api('POST', '/api/v1/clients', root.access, { name: 'victim', type: 'confidential', grant_types: ['client_credentials'] })
      ).body.data.id;
    } else return;
    expect(id, `a new ${kind} victim`).toBeTruthy();
    world.victims[kind][slot] = id;
  }

  function send(req: FuzzRequest, target: string): Promise<Answer> {
    const headers = [...req.headers];
    const tokens = tokensOf(req.auth);
    if (tokens) {
      const value = AUTH_SCHEMES[req.scheme](tokens[req.token % tokens.length]);
      if (value !== undefined) headers.push(['Authorization', value.replace(/[\r\n]/g, '')]);
    }
    const body = req.body === undefined ? undefined : Buffer.from(req.body, req.encoding ?? 'utf8');
    return rawRequest(t.url, { method: req.method, target, headers, body, chunked: req.chunked, timeoutMs: 15_000 });
  }

  const describeRequest = (req: FuzzRequest, target: string) =>
    JSON.stringify({
      ...req,
      target: clip(target),
      ...(target !== req.target ? { generated: clip(req.target) } : {}),
      body: req.body === undefined ? undefined : clip(req.body),
      headers: req.headers.map(([n, v]) => [n, clip(v)]),
    });
  const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…(${s.length} chars)` : s);

  const coverage = new Map<string, { sent: number; reached: number; answers: Map<string, number> }>();
  const failures: { kinds: string[]; text: string }[] = [];
  let sent = 0;
  /** A problem without what varies per request, to group the failures by. */
  const kindOf = (problem: string) =>
    problem
      .replace(/^accepted undeclared .*/s, 'accepted an undeclared key')
      .replace(/:.*$/s, '')
      .replace(/ ≠ .*$/s, ' ≠ …')
      .replace(/\d+ ms/, 'n ms')
      .slice(0, 80);

  it('hostile requests to every operation, in every auth state: no 5xx, X-Request-Id and the envelope on every answer, no leak, none slower than 5 s', async () => {
    const everything = [...ops, ...EXTRA_OPERATIONS];
    for (const op of everything) coverage.set(op.id, { sent: 0, reached: 0, answers: new Map() });
    const methods = new Map(everything.map((op) => [op.id, op.method]));
    const paths = new Map(everything.map((op) => [op.id, op.path]));
    const request = fc.oneof(...everything.map((op) => ({ weight: op.documented ? 5 : 1, arbitrary: requestArb(doc, op, world) })));
    const started = performance.now();

    const property = fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const results = await Promise.all(
        batch.map((req) => {
          const { target, slots } = resolveTarget(req.target);
          return send(req, target).then(
            (answer) => ({ req, target, slots, answer, error: undefined }),
            (error: unknown) => ({ req, target, slots, answer: undefined, error }),
          );
        }),
      );
      sent += batch.length;
      let reloginPlain = false;
      let reloginAdmin = false;
      const deleted: [IdKind, number][] = [];
      for (const { req, target, slots, answer, error } of results) {
        const seen = coverage.get(req.op)!;
        seen.sent++;
        if (!answer) {
          failures.push({ kinds: ['no answer'], text: `${describeRequest(req, target)}\n  → no answer: ${String(error)}` });
          continue;
        }
        const key = `${answer.status} ${typeof answer.body?.error === 'string' ? answer.body.error : ''}`.trim();
        seen.answers.set(key, (seen.answers.get(key) ?? 0) + 1);
        if (answer.status < 500 && !GATE_KEYS.has(answer.body?.error)) seen.reached++;
        const found = problemsOf({ method: req.method, target, answer }, { secrets, slowMs: SLOW_MS });
        // The contract refuses unknown properties: a 2xx to a request that carried one is a failure.
        if (answer.status < 300 && req.undeclared?.length && req.method === methods.get(req.op)) {
          found.push(`accepted undeclared ${req.undeclared.map((k) => JSON.stringify(k)).join(', ')}`);
        }
        if (found.length) {
          failures.push({
            kinds: found.map(kindOf),
            text: `${describeRequest(req, target)}\n  → ${answer.status} ${clip(answer.text)}\n  → ${found.join('\n  → ')}`,
          });
        }
        // A logout, a refresh, a theft alarm: the state's session may be gone; sign in again.
        if (answer.status === 401 && (req.auth === 'user' || req.auth === 'refresh_as_access')) reloginPlain = true;
        if (answer.status === 401 && req.auth === 'admin') reloginAdmin = true;
        // A victim deleted (or a session revoked) by its own route: its slot gets a new one.
        if (req.method === 'DELETE' && answer.status === 200 && slots.length && /\{(id|kid)\}$/.test(paths.get(req.op) ?? ''))
          deleted.push(slots[slots.length - 1]);
      }
      for (const [kind, slot] of deleted) await replaceVictim(kind, slot);
      if (reloginPlain) await relogin(plain);
      if (reloginAdmin) await relogin(fuzzAdmin);
    });

    // Every batch runs; the bad answers are collected and reported together at the end,
    // one example per kind of problem first, so one run shows everything that is wrong.
    try {
      await fc.assert(property, { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 110_000, markInterruptAsFailure: true });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `\n${err.cause.message}` : '';
      throw new Error(
        `fuzz stopped (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}, ${DB}) after ${sent} requests\n${err instanceof Error ? err.message : String(err)}${cause}`,
        {
          cause: err,
        },
      );
    }
    if (failures.length) {
      const byKind = new Map<string, string[]>();
      for (const f of failures) for (const kind of f.kinds) byKind.set(kind, [...(byKind.get(kind) ?? []), f.text]);
      const examples = [...byKind].map(
        ([kind, texts]) => `■ ${kind} (${texts.length}×), e.g.\n${[...new Set(texts)].slice(0, 3).join('\n')}`,
      );
      throw new Error(
        `fuzz found ${failures.length} bad answer(s) in ${sent} requests — reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (${DB})\n${examples.join('\n')}`,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const table = [...coverage].map(
      ([id, c]) =>
        `${id.padEnd(28)} ${String(c.sent).padStart(4)} sent, ${String(c.reached).padStart(4)} past the gate: ${[...c.answers].map(([k, n]) => `${k}×${n}`).join(', ')}`,
    );
    console.log(
      `fuzz [${DB}] seed ${SEED}: ${sent} requests in ${seconds.toFixed(1)} s${process.env.FUZZ_VERBOSE ? `\n${table.join('\n')}` : ' (FUZZ_VERBOSE=1 for the answers per operation)'}`,
    );

    // Nothing skipped: every documented operation was sent many times, and got past the
    // token, permission and validation gates at least once (its handler ran).
    for (const op of ops) {
      const c = coverage.get(op.id)!;
      expect(c.sent, `${op.id} was hardly fuzzed`).toBeGreaterThanOrEqual(20);
      expect(c.reached, `${op.id} never got past the gate: ${[...c.answers].map(([k, n]) => `${k}×${n}`).join(', ')}`).toBeGreaterThan(0);
    }
  }, 150_000);

  it('afterwards the service is healthy and no privilege changed', async () => {
    expect((await t.http.get('/health/live')).status).toBe(200);
    const ready = await t.http.get('/health/ready');
    expect([ready.status, ready.body.status]).toEqual([200, 'ok']);

    // The seeded admin still signs in with its own password, still SUPER_ADMIN with every permission.
    const again = await login(root.username, root.password);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    root.access = again.body.data.access_token;
    const now = await systemData(root.access);
    const me = again.body.data.user;
    expect(me.roles.map((r: { code: string }) => r.code)).toContain('SUPER_ADMIN');
    expect([...me.permissions].sort()).toEqual(now.allPermissions);
    expect(now.allPermissions).toEqual(expect.arrayContaining(before.systemPermissions));

    // System roles keep their permissions; system permissions are all there.
    expect(now.systemRoles).toEqual(before.systemRoles);
    expect(now.systemPermissions).toEqual(before.systemPermissions);

    // The plain user is still a plain user.
    const user = await api('GET', `/api/v1/users/${plain.id}`, root.access);
    expect(user.status).toBe(200);
    expect(user.body.data.roles.map((r: { code: string }) => r.code)).toEqual(['USER']);
    expect(user.body.data.status).toBe('active');
    await relogin(plain);
    expect((await api('GET', '/api/v1/users/me', plain.access)).body.data.permissions).toEqual([]);

    // Every administrative change was made by an administrator, and every user holding any
    // permission was made so by one.
    const ds = t.app.get(DataSource);
    const admins = new Set([root.id, fuzzAdmin.id]);
    const log: { action: string; actor_id: string | null; target_id: string | null; success: unknown }[] = await ds.query(
      `SELECT action, actor_id, target_id, success FROM audit_logs WHERE action IN (${ADMIN_ACTIONS.map(() => '?').join(',')})`,
      ADMIN_ACTIONS,
    );
    const byNonAdmin = log.filter(
      (e) => Number(e.success) === 1 && !admins.has(e.actor_id ?? '') && !(e.action === 'user.update' && e.actor_id === e.target_id),
    );
    expect(byNonAdmin, 'administrative changes by non-administrators').toEqual([]);
    const madeByAdmin = new Set(log.filter((e) => Number(e.success) === 1 && admins.has(e.actor_id ?? '')).map((e) => e.target_id));
    const privileged: { user_id: string }[] = await ds.query(
      'SELECT DISTINCT ur.user_id AS user_id FROM user_roles ur JOIN role_permissions rp ON rp.role_id = ur.role_id',
    );
    const unexplained = privileged.map((p) => p.user_id).filter((id) => !admins.has(id) && !madeByAdmin.has(id));
    expect(unexplained, 'users holding permissions no administrator gave them').toEqual([]);
  }, 60_000);
});
