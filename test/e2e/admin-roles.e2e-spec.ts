import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idOf, loginAdmin } from '../support/admin.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import { registerAndLogin, type Tokens } from '../support/users.js';

describe(`role administration [${DB}]`, () => {
  let t: TestApp;
  let admin: Tokens;
  let perm: Record<string, number>;

  beforeAll(async () => {
    t = await startApp();
    admin = await loginAdmin(t.http);
    const all = await t.http.get('/api/v1/permissions', { token: admin.access_token, query: { page_size: 100 } });
    perm = Object.fromEntries(all.body.data.items.map((p: { code: string; id: number }) => [p.code, p.id]));
  });
  afterAll(async () => {
    await t?.close();
  });

  let n = 0;
  const code = (prefix = 'ROLE') => `${prefix}_${Date.now().toString(36).toUpperCase()}_${++n}`;

  it('lists roles with their permissions, paged; keyword, sort and order', async () => {
    const token = admin.access_token;
    const res = await t.http.get('/api/v1/roles', { token });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ page: 1, page_size: 20 });
    const byCode = Object.fromEntries(res.body.data.items.map((r: { code: string }) => [r.code, r]));
    expect(byCode.ADMIN.permissions).toHaveLength(17);
    expect(byCode.ADMIN).toMatchObject({ is_system: true, name: 'Administrator' });
    expect(byCode.USER.permissions).toEqual([]);
    expect(byCode.ADMIN.permissions[0]).toEqual({ id: expect.any(Number), code: expect.any(String), name: expect.any(String) });

    const tag = code('KW');
    for (const suffix of ['_B', '_A', '_C']) {
      expect((await t.http.post('/api/v1/roles', { code: `${tag}${suffix}`, name: `Name ${suffix}` }, { token })).status).toBe(201);
    }
    const sorted = await t.http.get('/api/v1/roles', { token, query: { keyword: tag.toLowerCase(), sort: 'code', order: 'desc' } });
    expect(sorted.body.data.items.map((r: { code: string }) => r.code)).toEqual([`${tag}_C`, `${tag}_B`, `${tag}_A`]);
    const byId = await t.http.get('/api/v1/roles', { token, query: { keyword: tag } });
    expect(byId.body.data.items.map((r: { code: string }) => r.code)).toEqual([`${tag}_B`, `${tag}_A`, `${tag}_C`]);
    const page2 = await t.http.get('/api/v1/roles', { token, query: { keyword: tag, page: 2, page_size: 2 } });
    expect(page2.body.data).toMatchObject({ total: 3, page: 2, page_size: 2, items: [{ code: `${tag}_C` }] });
    const past = await t.http.get('/api/v1/roles', { token, query: { keyword: tag, page: 9 } });
    expect(past.body.data).toMatchObject({ total: 3, items: [] });
    for (const query of [{ page_size: 0 }, { page_size: 101 }, { sort: 'is_system; DROP TABLE roles' }]) {
      const bad = await t.http.get('/api/v1/roles', { token, query });
      expect([bad.status, bad.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('creates (201), reads, renames, re-codes and deletes a role, auditing each change', async () => {
    const token = admin.access_token;
    const c = code();
    const created = await t.http.post(
      '/api/v1/roles',
      { code: c, name: 'Auditor', description: 'Reads the log', permission_ids: [perm['audit:read']] },
      { token },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({
      code: c,
      name: 'Auditor',
      description: 'Reads the log',
      is_system: false,
      permissions: [{ id: perm['audit:read'], code: 'audit:read' }],
    });
    expect((await t.http.get(`/api/v1/roles/${id}`, { token })).body.data).toEqual(created.body.data);

    const renamed = await t.http.patch(`/api/v1/roles/${id}`, { code: `${c}_X`, name: 'Log reader', description: null }, { token });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ code: `${c}_X`, name: 'Log reader', description: null });

    const deleted = await t.http.delete(`/api/v1/roles/${id}`, { token });
    expect([deleted.status, deleted.body.data]).toEqual([200, null]);
    expect((await t.http.get(`/api/v1/roles/${id}`, { token })).status).toBe(404);

    const log = await t.http.get('/api/v1/audit-logs', {
      token,
      query: { target_type: 'role', target_id: String(id), sort: 'id', order: 'asc' },
    });
    expect(log.body.data.items.map((e: { action: string }) => e.action)).toEqual(['role.create', 'role.update', 'role.delete']);
    expect(log.body.data.items[1]).toMatchObject({
      actor_id: admin.user.id,
      ip: '127.0.0.1',
      detail: { fields: ['code', 'name', 'description'], from: c, to: `${c}_X` },
    });
  });

  it('validates codes and ids; ROLE_CODE_TAKEN; 404 for unknown or malformed ids', async () => {
    const token = admin.access_token;
    for (const body of [
      { code: 'lower', name: 'x' },
      { code: 'A', name: 'x' },
      { code: `A${'B'.repeat(64)}`, name: 'x' },
      { code: 'GOOD_CODE', name: '' },
      { code: 'GOOD_CODE', name: 'x', is_system: true },
      { code: 'GOOD_CODE', name: 'x', permission_ids: [1, 1] },
    ]) {
      const res = await t.http.post('/api/v1/roles', body, { token });
      expect([res.status, res.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    const unknown = await t.http.post('/api/v1/roles', { code: code(), name: 'x', permission_ids: [99999] }, { token });
    expect([unknown.status, unknown.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    const taken = await t.http.post('/api/v1/roles', { code: 'ADMIN', name: 'Again' }, { token });
    expect([taken.status, taken.body.error]).toEqual([409, 'ROLE_CODE_TAKEN']);
    const mine = await t.http.post('/api/v1/roles', { code: code(), name: 'x' }, { token });
    const clash = await t.http.patch(`/api/v1/roles/${mine.body.data.id}`, { code: 'USER' }, { token });
    expect([clash.status, clash.body.error]).toEqual([409, 'ROLE_CODE_TAKEN']);
    const nullName = await t.http.patch(`/api/v1/roles/${mine.body.data.id}`, { name: null }, { token });
    expect(nullName.status).toBe(400);
    for (const id of ['99999', 'abc', '0', '-1', '1.5', '99999999999']) {
      expect((await t.http.get(`/api/v1/roles/${id}`, { token })).status, id).toBe(404);
    }
  });

  it('PUT /roles/:id/permissions replaces the set; holders see it at their next request with the same token', async () => {
    const token = admin.access_token;
    const role = await t.http.post('/api/v1/roles', { code: code('FLIP'), name: 'Flip' }, { token });
    const id = role.body.data.id;
    const u = await registerAndLogin(t.http);
    await t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [id, await idOf(t.http, token, 'roles', 'USER')] }, { token });
    expect((await t.http.get('/api/v1/users', { token: u.access_token })).status).toBe(403);

    const set = await t.http.put(`/api/v1/roles/${id}/permissions`, { permission_ids: [perm['user:read'], perm['role:read']] }, { token });
    expect(set.status).toBe(200);
    expect(set.body.data.permissions.map((p: { code: string }) => p.code)).toEqual(
      ['user:read', 'role:read'].sort((a, b) => perm[a] - perm[b]),
    );
    expect((await t.http.get('/api/v1/users', { token: u.access_token })).status).toBe(200);
    expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.data.permissions).toEqual(['role:read', 'user:read']);

    const replaced = await t.http.put(`/api/v1/roles/${id}/permissions`, { permission_ids: [perm['role:read']] }, { token });
    expect(replaced.body.data.permissions).toMatchObject([{ code: 'role:read' }]);
    expect((await t.http.get('/api/v1/users', { token: u.access_token })).status).toBe(403);

    const unknown = await t.http.put(`/api/v1/roles/${id}/permissions`, { permission_ids: [perm['user:read'], 99999] }, { token });
    expect([unknown.status, unknown.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await t.http.get(`/api/v1/roles/${id}`, { token })).body.data.permissions).toMatchObject([{ code: 'role:read' }]);

    const [entry] = (await t.http.get('/api/v1/audit-logs', { token, query: { action: 'role.permissions.set', target_id: String(id) } }))
      .body.data.items;
    expect(entry).toMatchObject({
      actor_id: admin.user.id,
      detail: { permission_ids: [perm['role:read']], added: [], removed: [perm['user:read']] },
    });

    // Deleting the role takes it from its holders at once.
    await t.http.put(`/api/v1/roles/${id}/permissions`, { permission_ids: [perm['user:read']] }, { token });
    expect((await t.http.get('/api/v1/users', { token: u.access_token })).status).toBe(200);
    await t.http.delete(`/api/v1/roles/${id}`, { token });
    expect((await t.http.get('/api/v1/users', { token: u.access_token })).status).toBe(403);
    expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.data.roles.map((r: { code: string }) => r.code)).toEqual([
      'USER',
    ]);
  });

  it('the same permission set twice at once → both 200, one row each', async () => {
    const token = admin.access_token;
    const role = await t.http.post('/api/v1/roles', { code: code('RACE'), name: 'Race' }, { token });
    const id = role.body.data.id;
    const body = { permission_ids: [perm['user:read'], perm['audit:read']] };
    const results = await Promise.all([
      t.http.put(`/api/v1/roles/${id}/permissions`, body, { token }),
      t.http.put(`/api/v1/roles/${id}/permissions`, body, { token }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const rows = await t.app
      .get(DataSource)
      .query('SELECT permission_id FROM role_permissions WHERE role_id = ? ORDER BY permission_id', [id]);
    expect(rows.map((r: { permission_id: number }) => Number(r.permission_id))).toEqual(body.permission_ids.sort((a, b) => a - b));
  });

  it('each route needs its permission (403 otherwise)', async () => {
    const plain = await registerAndLogin(t.http);
    const token = plain.access_token;
    for (const [method, path, json] of [
      ['GET', '/api/v1/roles'],
      ['POST', '/api/v1/roles', { code: 'NOPE_ROLE', name: 'x' }],
      ['GET', '/api/v1/roles/1'],
      ['PATCH', '/api/v1/roles/3', { name: 'x' }],
      ['DELETE', '/api/v1/roles/3'],
      ['PUT', '/api/v1/roles/3/permissions', { permission_ids: [] }],
    ] as [string, string, unknown?][]) {
      const res = await t.http.req(method, path, { token, json });
      expect([res.status, res.body.error], `${method} ${path}`).toEqual([403, 'FORBIDDEN']);
    }
    // role:read alone reads but cannot write.
    const reader = await t.http.post(
      '/api/v1/roles',
      { code: code('RREAD'), name: 'r', permission_ids: [perm['role:read']] },
      { token: admin.access_token },
    );
    await t.http.put(`/api/v1/users/${plain.id}/roles`, { role_ids: [reader.body.data.id] }, { token: admin.access_token });
    expect((await t.http.get('/api/v1/roles', { token })).status).toBe(200);
    expect((await t.http.post('/api/v1/roles', { code: code(), name: 'x' }, { token })).status).toBe(403);
  });
});
