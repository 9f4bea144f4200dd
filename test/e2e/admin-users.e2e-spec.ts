import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, idOf, loginAdmin, userWithRoles } from '../support/admin.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import { login, PASSWORD, register, registerAndLogin, uniqueName, type Tokens } from '../support/users.js';

const NO_SUCH_USER = '00000000-0000-4000-8000-000000000000';

describe(`user administration [${DB}]`, () => {
  let t: TestApp;
  let admin: Tokens;

  beforeAll(async () => {
    t = await startApp({ LOGIN_MAX_FAILURES: '3' });
    admin = await loginAdmin(t.http);
  });
  afterAll(async () => {
    await t?.close();
  });

  const auditOf = async (action: string, targetId: string) => {
    const res = await t.http.get('/api/v1/audit-logs', { token: admin.access_token, query: { action, target_id: targetId } });
    expect(res.status).toBe(200);
    return res.body.data.items as Record<string, unknown>[];
  };

  describe('POST /users', () => {
    it('creates a user (201 User, USER role by default) and audits it', async () => {
      const username = uniqueName('New');
      const res = await t.http.post(
        '/api/v1/users',
        { username, password: PASSWORD, email: `${username}@Example.com`, phone: '13800138123', nickname: 'Newbie' },
        { token: admin.access_token, headers: { 'user-agent': 'admin-console/1.0' } },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.data).toMatchObject({
        username,
        email: `${username}@example.com`.toLowerCase(),
        phone: '+8613800138123',
        nickname: 'Newbie',
        status: 'active',
        email_verified: false,
        roles: [{ code: 'USER' }],
      });
      expect(res.body.data).not.toHaveProperty('password_hash');
      expect(res.body.data).not.toHaveProperty('deleted_at');
      await login(t.http, username, PASSWORD);
      const [entry] = await auditOf('user.create', res.body.data.id);
      expect(entry).toMatchObject({
        actor_id: admin.user.id,
        target_type: 'user',
        ip: '127.0.0.1',
        user_agent: 'admin-console/1.0',
        success: true,
      });
    });

    it('takes status and role_ids ([] = no roles)', async () => {
      const adminRole = await idOf(t.http, admin.access_token, 'roles', 'ADMIN');
      const a = await t.http.post(
        '/api/v1/users',
        { username: uniqueName(), password: PASSWORD, role_ids: [adminRole], status: 'disabled' },
        { token: admin.access_token },
      );
      expect(a.status).toBe(201);
      expect(a.body.data).toMatchObject({ status: 'disabled', roles: [{ id: adminRole, code: 'ADMIN' }] });
      const b = await t.http.post(
        '/api/v1/users',
        { username: uniqueName(), password: PASSWORD, role_ids: [] },
        { token: admin.access_token },
      );
      expect(b.body.data.roles).toEqual([]);
    });

    it('answers WEAK_PASSWORD, VALIDATION_FAILED (bad fields, unknown role id) and the *_TAKEN conflicts', async () => {
      const token = admin.access_token;
      const weak = await t.http.post('/api/v1/users', { username: uniqueName(), password: 'short' }, { token });
      expect([weak.status, weak.body.error]).toEqual([400, 'WEAK_PASSWORD']);
      const same = uniqueName();
      const sameAsName = await t.http.post('/api/v1/users', { username: same, password: same }, { token });
      expect(sameAsName.body.error).toBe('WEAK_PASSWORD');
      for (const body of [
        { username: 'a', password: PASSWORD },
        { username: uniqueName(), password: PASSWORD, is_admin: true },
        { username: uniqueName(), password: PASSWORD, status: 'banned' },
        { username: uniqueName(), password: PASSWORD, status: null },
        { username: uniqueName(), password: PASSWORD, role_ids: ['1'] },
        { username: uniqueName(), password: PASSWORD, role_ids: [3, 3] },
        { username: uniqueName(), password: PASSWORD, phone: '12' },
      ]) {
        const res = await t.http.post('/api/v1/users', body, { token });
        expect([res.status, res.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      }
      const unknownRole = await t.http.post('/api/v1/users', { username: uniqueName(), password: PASSWORD, role_ids: [99999] }, { token });
      expect([unknownRole.status, unknownRole.body.error]).toEqual([400, 'VALIDATION_FAILED']);
      expect(unknownRole.body.details).toEqual([
        { field: 'role_ids', code: 'unknown_id', message: expect.stringContaining('99999'), params: { ids: '99999' } },
      ]);
      const existing = await register(t.http);
      const name = await t.http.post('/api/v1/users', { username: existing.username.toUpperCase(), password: PASSWORD }, { token });
      expect([name.status, name.body.error]).toEqual([409, 'USERNAME_TAKEN']);
      const mail = await t.http.post(
        '/api/v1/users',
        { username: uniqueName(), password: PASSWORD, email: existing.email.toUpperCase() },
        { token },
      );
      expect([mail.status, mail.body.error]).toEqual([409, 'EMAIL_TAKEN']);
    });
  });

  describe('GET /users', () => {
    it('pages: defaults, page_size 0 and 101 → 400, a page past the end is empty with the right total', async () => {
      const token = admin.access_token;
      const first = await t.http.get('/api/v1/users', { token });
      expect(first.status).toBe(200);
      expect(first.body.data).toMatchObject({ page: 1, page_size: 20 });
      expect(first.body.data.total).toBeGreaterThanOrEqual(1);
      for (const query of [
        { page_size: 0 },
        { page_size: 101 },
        { page: 0 },
        { page: 'x' },
        { page_size: 1.5 },
        { sort: 'password_hash' },
        { order: 'sideways' },
        { unknown: 1 },
        { keyword: 'k'.repeat(101) },
      ]) {
        const res = await t.http.get('/api/v1/users', { token, query });
        expect([res.status, res.body.error], JSON.stringify(query)).toEqual([400, 'VALIDATION_FAILED']);
      }
      const max = await t.http.get('/api/v1/users', { token, query: { page_size: 100 } });
      expect(max.body.data.page_size).toBe(100);
      const total = max.body.data.total as number;
      const past = await t.http.get('/api/v1/users', { token, query: { page: 1000, page_size: 10 } });
      expect(past.status).toBe(200);
      expect(past.body.data).toEqual({ items: [], total, page: 1000, page_size: 10 });
    });

    it('filters by keyword (case-insensitive, % and _ literal), status and role code; sorts both ways', async () => {
      const token = admin.access_token;
      const tag = `kw${uniqueName('').replace(/\W/g, '')}`;
      const a = await createUser(t.http, token, { username: `${tag}a`, nickname: 'Alpha 100% real', status: 'disabled' });
      const b = await createUser(t.http, token, { username: `${tag}b`, role_ids: [await idOf(t.http, token, 'roles', 'ADMIN')] });
      const c = await createUser(t.http, token, { username: `${tag}c`, email: `${tag}-mail@example.com` });

      const names = async (query: Record<string, string | number>) => {
        const res = await t.http.get('/api/v1/users', { token, query: { keyword: tag, ...query } });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body.data.items.map((u: { username: string }) => u.username);
      };
      expect(await names({ keyword: tag.toUpperCase(), sort: 'username' })).toEqual([a.username, b.username, c.username]);
      expect(await names({ sort: 'username', order: 'desc' })).toEqual([c.username, b.username, a.username]);
      expect(await names({ status: 'disabled' })).toEqual([a.username]);
      expect(await names({ role: 'ADMIN' })).toEqual([b.username]);
      expect(await names({ role: 'NO_SUCH_ROLE' })).toEqual([]);
      expect(await names({ keyword: `${tag}-MAIL` })).toEqual([c.username]);
      expect(await names({ keyword: '100% real' })).toEqual([a.username]);
      // `%` and `_` are not wildcards: "10_%" matches nothing although "100%" exists.
      expect(await names({ keyword: '10_%' })).toEqual([]);
      const paged = await t.http.get('/api/v1/users', { token, query: { keyword: tag, sort: 'username', page: 2, page_size: 2 } });
      expect(paged.body.data).toMatchObject({ total: 3, page: 2, page_size: 2, items: [{ username: c.username }] });
      // By phone too.
      const phoned = await createUser(t.http, token, { phone: '+8613700137999' });
      const byPhone = await t.http.get('/api/v1/users', { token, query: { keyword: '13700137999' } });
      expect(byPhone.body.data.items.map((u: { id: string }) => u.id)).toEqual([phoned.id]);
    });
  });

  describe('GET /users/:id and the static routes beside it', () => {
    it('returns the user; 404 for an unknown or malformed id', async () => {
      const u = await register(t.http);
      const res = await t.http.get(`/api/v1/users/${u.id}`, { token: admin.access_token });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: u.id, username: u.username, roles: [{ code: 'USER' }] });
      expect(res.body.data).not.toHaveProperty('permissions');
      for (const id of [NO_SUCH_USER, 'not-a-uuid', '1']) {
        const missing = await t.http.get(`/api/v1/users/${id}`, { token: admin.access_token });
        expect([missing.status, missing.body.error], id).toEqual([404, 'NOT_FOUND']);
      }
    });

    it('/users/me and /users/login-status win over /users/:id', async () => {
      const me = await t.http.get('/api/v1/users/me', { token: admin.access_token });
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ id: admin.user.id, permissions: expect.arrayContaining(['user:read', 'audit:read']) });
      const status = await t.http.get('/api/v1/users/login-status', { token: admin.access_token, query: { username: 'nobody-at-all' } });
      expect(status.status).toBe(200);
      expect(status.body.data).toEqual({ username: 'nobody-at-all', failed_attempts: 0, locked: false, locked_until: null });
      const plain = await registerAndLogin(t.http);
      expect((await t.http.get('/api/v1/users/me', { token: plain.access_token })).status).toBe(200);
      expect((await t.http.get('/api/v1/users/login-status', { token: plain.access_token, query: { username: 'x' } })).status).toBe(403);
      const noName = await t.http.get('/api/v1/users/login-status', { token: admin.access_token });
      expect([noName.status, noName.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    });
  });

  describe('PATCH /users/:id', () => {
    it('changes the profile; a new email is unverified; unknown fields are refused', async () => {
      const u = await register(t.http);
      const ds = t.app.get(DataSource);
      await ds.query('UPDATE users SET email_verified = 1 WHERE id = ?', [u.id]);
      const res = await t.http.patch(
        `/api/v1/users/${u.id}`,
        { nickname: 'Renamed', email: `x.${u.email}`, phone: '+8613900139001', avatar: 'https://cdn.example.com/a.png' },
        { token: admin.access_token },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toMatchObject({
        id: u.id,
        nickname: 'Renamed',
        email: `x.${u.email}`.toLowerCase(),
        phone: '+8613900139001',
        email_verified: false,
      });
      for (const body of [
        { password: 'x' },
        { roles: [1] },
        { username: 'other' },
        { status: 'gone' },
        { avatar: 'javascript:alert(1)' },
      ]) {
        const bad = await t.http.patch(`/api/v1/users/${u.id}`, body, { token: admin.access_token });
        expect([bad.status, bad.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      }
      const [entry] = await auditOf('user.update', u.id);
      expect(entry).toMatchObject({
        actor_id: admin.user.id,
        detail: { fields: expect.arrayContaining(['nickname', 'email', 'phone', 'avatar']) },
      });
      expect((await t.http.patch(`/api/v1/users/${NO_SUCH_USER}`, { nickname: 'x' }, { token: admin.access_token })).status).toBe(404);
    });

    it('disabling revokes their tokens at the next request; enabling lets them sign in again', async () => {
      const u = await registerAndLogin(t.http);
      expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).status).toBe(200);
      const res = await t.http.patch(`/api/v1/users/${u.id}`, { status: 'disabled' }, { token: admin.access_token });
      expect(res.body.data.status).toBe('disabled');
      expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.error).toBe('TOKEN_REVOKED');
      expect((await t.http.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token })).status).toBe(401);
      const blocked = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
      expect([blocked.status, blocked.body.error]).toEqual([403, 'ACCOUNT_DISABLED']);
      await t.http.patch(`/api/v1/users/${u.id}`, { status: 'active' }, { token: admin.access_token });
      await login(t.http, u.username, u.password);
    });

    it('nobody can disable themselves (409)', async () => {
      const res = await t.http.patch(`/api/v1/users/${admin.user.id}`, { status: 'disabled' }, { token: admin.access_token });
      expect([res.status, res.body.error]).toEqual([409, 'PROTECTED_RESOURCE']);
    });
  });

  describe('DELETE /users/:id', () => {
    it('soft-deletes: 404 afterwards, tokens revoked, username and email free again', async () => {
      const u = await registerAndLogin(t.http, { phone: '+8613500135001' });
      const res = await t.http.delete(`/api/v1/users/${u.id}`, { token: admin.access_token });
      expect(res.status).toBe(200);
      expect(res.body.data).toBeNull();
      expect((await t.http.get(`/api/v1/users/${u.id}`, { token: admin.access_token })).status).toBe(404);
      expect((await t.http.delete(`/api/v1/users/${u.id}`, { token: admin.access_token })).status).toBe(404);
      expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.error).toBe('TOKEN_REVOKED');
      const listed = await t.http.get('/api/v1/users', { token: admin.access_token, query: { keyword: u.username } });
      expect(listed.body.data.total).toBe(0);
      const [row] = await t.app
        .get(DataSource)
        .query('SELECT deleted_at, username_key, email_key, phone_key FROM users WHERE id = ?', [u.id]);
      expect(row.deleted_at).not.toBeNull();
      expect([row.username_key, row.email_key, row.phone_key]).toEqual([null, null, null]);
      const again = await register(t.http, { username: u.username, email: u.email, phone: '+8613500135001' });
      expect(again.id).not.toBe(u.id);
      const [entry] = await auditOf('user.delete', u.id);
      expect(entry).toMatchObject({ actor_id: admin.user.id, target_type: 'user', target_id: u.id, ip: '127.0.0.1' });
    });

    it('nobody can delete themselves (409)', async () => {
      const res = await t.http.delete(`/api/v1/users/${admin.user.id}`, { token: admin.access_token });
      expect([res.status, res.body.error]).toEqual([409, 'PROTECTED_RESOURCE']);
      const adminRole = await userWithRoles(t.http, admin.access_token, ['ADMIN']);
      const self = await t.http.delete(`/api/v1/users/${adminRole.id}`, { token: adminRole.access_token });
      expect([self.status, self.body.error]).toEqual([409, 'PROTECTED_RESOURCE']);
    });
  });

  describe('PUT /users/:id/roles', () => {
    it('replaces the set; the change shows at the next request with the same access token', async () => {
      const u = await registerAndLogin(t.http);
      const [adminRole, userRole] = await Promise.all([
        idOf(t.http, admin.access_token, 'roles', 'ADMIN'),
        idOf(t.http, admin.access_token, 'roles', 'USER'),
      ]);
      expect((await t.http.get('/api/v1/roles', { token: u.access_token })).status).toBe(403);
      expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.data.permissions).toEqual([]);

      const res = await t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [adminRole] }, { token: admin.access_token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.roles).toEqual([{ id: adminRole, code: 'ADMIN', name: expect.any(String) }]);
      expect((await t.http.get('/api/v1/roles', { token: u.access_token })).status).toBe(200);
      const me = await t.http.get('/api/v1/users/me', { token: u.access_token });
      expect(me.body.data.permissions).toHaveLength(17);
      expect(me.body.data.roles.map((r: { code: string }) => r.code)).toEqual(['ADMIN']);

      await t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [userRole] }, { token: admin.access_token });
      expect((await t.http.get('/api/v1/roles', { token: u.access_token })).status).toBe(403);
      expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.data.permissions).toEqual([]);

      const [entry] = await auditOf('user.roles.set', u.id);
      expect(entry).toMatchObject({ actor_id: admin.user.id, detail: { role_ids: [userRole], added: [userRole], removed: [adminRole] } });
    });

    it('an unknown role id is 400 and changes nothing; malformed bodies are 400', async () => {
      const u = await register(t.http);
      const res = await t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [99999] }, { token: admin.access_token });
      expect([res.status, res.body.error]).toEqual([400, 'VALIDATION_FAILED']);
      expect((await t.http.get(`/api/v1/users/${u.id}`, { token: admin.access_token })).body.data.roles).toMatchObject([{ code: 'USER' }]);
      for (const body of [{}, { role_ids: 'ADMIN' }, { role_ids: [0] }, { role_ids: [1, 1] }]) {
        const bad = await t.http.put(`/api/v1/users/${u.id}/roles`, body, { token: admin.access_token });
        expect([bad.status, bad.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      }
      expect((await t.http.put(`/api/v1/users/${NO_SUCH_USER}/roles`, { role_ids: [] }, { token: admin.access_token })).status).toBe(404);
    });

    it('the same assignment twice at once → both 200, one row', async () => {
      const u = await register(t.http);
      const adminRole = await idOf(t.http, admin.access_token, 'roles', 'ADMIN');
      const results = await Promise.all(
        Array.from({ length: 2 }, () =>
          t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [adminRole] }, { token: admin.access_token }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const rows = await t.app.get(DataSource).query('SELECT role_id FROM user_roles WHERE user_id = ?', [u.id]);
      expect(rows.map((r: { role_id: number }) => Number(r.role_id))).toEqual([adminRole]);
      // And ten at once, alternating two different sets: never a 5xx, and the end state is one of them.
      const userRole = await idOf(t.http, admin.access_token, 'roles', 'USER');
      const many = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.http.put(
            `/api/v1/users/${u.id}/roles`,
            { role_ids: i % 2 ? [adminRole, userRole] : [userRole] },
            { token: admin.access_token },
          ),
        ),
      );
      expect(many.map((r) => r.status)).toEqual(Array(10).fill(200));
      const final = (await t.app.get(DataSource).query('SELECT role_id FROM user_roles WHERE user_id = ? ORDER BY role_id', [u.id])).map(
        (r: { role_id: number }) => Number(r.role_id),
      );
      expect([[userRole], [adminRole, userRole].sort((a, b) => a - b)]).toContainEqual(final);
    });
  });

  describe('PUT /users/:id/password and DELETE /users/:id/sessions', () => {
    it('sets the password (policy applies) and revokes every session', async () => {
      const u = await registerAndLogin(t.http);
      const weak = await t.http.put(`/api/v1/users/${u.id}/password`, { new_password: 'password' }, { token: admin.access_token });
      expect([weak.status, weak.body.error]).toEqual([400, 'WEAK_PASSWORD']);
      const res = await t.http.put(
        `/api/v1/users/${u.id}/password`,
        { new_password: 'Brand-new-Passphrase-42' },
        { token: admin.access_token },
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toBeNull();
      expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.error).toBe('TOKEN_REVOKED');
      expect((await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).status).toBe(401);
      await login(t.http, u.username, 'Brand-new-Passphrase-42');
      const [entry] = await auditOf('user.password.set', u.id);
      expect(entry).toMatchObject({ actor_id: admin.user.id, detail: { sessions_revoked: 1 } });
      expect(JSON.stringify(entry)).not.toContain('Brand-new');
    });

    it('revokes all their sessions', async () => {
      const u = await registerAndLogin(t.http);
      const second = await login(t.http, u.username, u.password);
      const res = await t.http.delete(`/api/v1/users/${u.id}/sessions`, { token: admin.access_token });
      expect(res.status).toBe(200);
      for (const token of [u.access_token, second.access_token]) {
        expect((await t.http.get('/api/v1/users/me', { token })).body.error).toBe('TOKEN_REVOKED');
      }
      await login(t.http, u.username, u.password);
      const [entry] = await auditOf('user.sessions.revoke', u.id);
      expect(entry).toMatchObject({ actor_id: admin.user.id, detail: { sessions_revoked: 2 } });
    });
  });

  describe('login-status and unlock', () => {
    it('shows failures and the lock; unlock clears them for username, email and phone', async () => {
      const u = await register(t.http, { phone: '+8613300133001' });
      // Every name of one account counts towards one lock (docs/api.md §3).
      for (const name of [u.username, u.email, '13300133001']) {
        await t.http.post('/api/v1/auth/login', { username: name, password: 'Wrong-password-1' });
      }
      const status = await t.http.get('/api/v1/users/login-status', {
        token: admin.access_token,
        query: { username: u.username.toUpperCase() },
      });
      expect(status.body.data).toMatchObject({ username: u.username.toUpperCase(), failed_attempts: 3, locked: true });
      expect(new Date(status.body.data.locked_until).getTime()).toBeGreaterThan(Date.now());
      expect((await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).body.error).toBe('ACCOUNT_LOCKED');

      const res = await t.http.post(`/api/v1/users/${u.id}/unlock`, undefined, { token: admin.access_token });
      expect(res.status).toBe(200);
      expect(res.body.data).toBeNull();
      const after = await t.http.get('/api/v1/users/login-status', { token: admin.access_token, query: { username: u.username } });
      expect(after.body.data).toEqual({ username: u.username, failed_attempts: 0, locked: false, locked_until: null });
      for (const name of [u.username, u.email, '13300133001']) await login(t.http, name, u.password);
      const [entry] = await auditOf('user.unlock', u.id);
      expect(entry).toMatchObject({ actor_id: admin.user.id, detail: { cleared: 1 } });
    });
  });

  describe('without the permission', () => {
    it('a plain user gets 403 on every route, and cannot read or change another user (IDOR)', async () => {
      const plain = await registerAndLogin(t.http);
      const victim = await registerAndLogin(t.http);
      const token = plain.access_token;
      const attempts: [string, string, unknown?][] = [
        ['GET', '/api/v1/users'],
        ['POST', '/api/v1/users', { username: uniqueName(), password: PASSWORD }],
        ['GET', `/api/v1/users/${victim.id}`],
        ['PATCH', `/api/v1/users/${victim.id}`, { nickname: 'pwned' }],
        ['DELETE', `/api/v1/users/${victim.id}`],
        ['PUT', `/api/v1/users/${victim.id}/roles`, { role_ids: [] }],
        ['PUT', `/api/v1/users/${victim.id}/password`, { new_password: 'Attacker-chosen-pass-1' }],
        ['DELETE', `/api/v1/users/${victim.id}/sessions`],
        ['POST', `/api/v1/users/${victim.id}/unlock`],
        ['GET', '/api/v1/users/login-status?username=admin'],
        // Even on their own id: the admin routes are not a back door to /users/me.
        ['PUT', `/api/v1/users/${plain.id}/roles`, { role_ids: [1] }],
        ['PATCH', `/api/v1/users/${plain.id}`, { status: 'active' }],
      ];
      for (const [method, path, json] of attempts) {
        const res = await t.http.req(method, path, { token, json });
        expect([res.status, res.body.error], `${method} ${path}`).toEqual([403, 'FORBIDDEN']);
      }
      const v = await t.http.get('/api/v1/users/me', { token: victim.access_token });
      expect(v.status).toBe(200);
      expect(v.body.data.nickname).toBeNull();
      // Another user's session cannot be revoked through /users/me/sessions/:id.
      const sessions = await t.http.get('/api/v1/users/me/sessions', { token: victim.access_token });
      const sid = sessions.body.data[0].id;
      expect((await t.http.delete(`/api/v1/users/me/sessions/${sid}`, { token })).status).toBe(404);
      expect((await t.http.get('/api/v1/users/me', { token: victim.access_token })).status).toBe(200);
      // Without a token at all: 401.
      expect((await t.http.get('/api/v1/users')).status).toBe(401);
    });

    it('user:read alone reads but cannot write', async () => {
      const reader = await registerAndLogin(t.http);
      const role = await t.http.post(
        '/api/v1/roles',
        {
          code: `READER_${Date.now()}`,
          name: 'Reader',
          permission_ids: [await idOf(t.http, admin.access_token, 'permissions', 'user:read')],
        },
        { token: admin.access_token },
      );
      await t.http.put(`/api/v1/users/${reader.id}/roles`, { role_ids: [role.body.data.id] }, { token: admin.access_token });
      const other = await register(t.http);
      expect((await t.http.get(`/api/v1/users/${other.id}`, { token: reader.access_token })).status).toBe(200);
      expect((await t.http.patch(`/api/v1/users/${other.id}`, { nickname: 'x' }, { token: reader.access_token })).status).toBe(403);
      expect((await t.http.delete(`/api/v1/users/${other.id}`, { token: reader.access_token })).status).toBe(403);
    });
  });
});
