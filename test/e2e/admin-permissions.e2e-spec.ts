import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idOf, loginAdmin, userWithRoles } from '../support/admin.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import { registerAndLogin, type Tokens } from '../support/users.js';

describe(`permission administration [${DB}]`, () => {
  let t: TestApp;
  let admin: Tokens;

  beforeAll(async () => {
    t = await startApp();
    admin = await loginAdmin(t.http);
  });
  afterAll(async () => {
    await t?.close();
  });

  let n = 0;
  const code = (prefix = 'thing') => `${prefix}-${Date.now().toString(36)}-${++n}:do`;

  it('lists the 19 system permissions, paged; keyword, sort and order', async () => {
    const token = admin.access_token;
    const res = await t.http.get('/api/v1/permissions', { token, query: { keyword: 'USER:' } });
    expect(res.status).toBe(200);
    expect(res.body.data.items.map((p: { code: string }) => p.code)).toEqual(['user:read', 'user:create', 'user:update', 'user:delete']);
    expect(res.body.data.items[0]).toEqual({
      id: expect.any(Number),
      code: 'user:read',
      name: 'Read users',
      description: expect.any(String),
      is_system: true,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated_at: expect.any(String),
    });
    const sorted = await t.http.get('/api/v1/permissions', { token, query: { keyword: 'user:', sort: 'code' } });
    expect(sorted.body.data.items.map((p: { code: string }) => p.code)).toEqual(['user:create', 'user:delete', 'user:read', 'user:update']);
    const desc = await t.http.get('/api/v1/permissions', { token, query: { keyword: 'user:', sort: 'code', order: 'desc' } });
    expect(desc.body.data.items.map((p: { code: string }) => p.code)).toEqual(['user:update', 'user:read', 'user:delete', 'user:create']);
    const all = await t.http.get('/api/v1/permissions', { token, query: { page_size: 5, page: 4 } });
    expect(all.body.data).toMatchObject({ total: 19, page: 4, page_size: 5 });
    expect(all.body.data.items).toHaveLength(4);
    for (const query of [{ page_size: 0 }, { page_size: 101 }, { sort: 'description' }]) {
      expect((await t.http.get('/api/v1/permissions', { token, query })).status).toBe(400);
    }
  });

  it('creates (201), reads, changes and deletes a permission, auditing each change', async () => {
    const token = admin.access_token;
    const c = code();
    const created = await t.http.post('/api/v1/permissions', { code: c, name: 'Do things' }, { token });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({ code: c, name: 'Do things', description: null, is_system: false });
    expect((await t.http.get(`/api/v1/permissions/${id}`, { token })).body.data).toEqual(created.body.data);
    // SUPER_ADMIN has every permission that exists, at once.
    expect((await t.http.get('/api/v1/users/me', { token })).body.data.permissions).toContain(c);

    const changed = await t.http.patch(`/api/v1/permissions/${id}`, { code: `${c}-x`, description: 'More' }, { token });
    expect(changed.body.data).toMatchObject({ code: `${c}-x`, description: 'More' });
    expect((await t.http.delete(`/api/v1/permissions/${id}`, { token })).status).toBe(200);
    expect((await t.http.get(`/api/v1/permissions/${id}`, { token })).status).toBe(404);
    expect((await t.http.get('/api/v1/users/me', { token })).body.data.permissions).not.toContain(`${c}-x`);

    const log = await t.http.get('/api/v1/audit-logs', { token, query: { target_type: 'permission', target_id: String(id) } });
    expect(log.body.data.items.map((e: { action: string }) => e.action)).toEqual([
      'permission.delete',
      'permission.update',
      'permission.create',
    ]);
    expect(log.body.data.items[2]).toMatchObject({ actor_id: admin.user.id, ip: '127.0.0.1', success: true, detail: { code: c } });
  });

  it('deleting a permission takes it from the roles that carry it and from their holders', async () => {
    const token = admin.access_token;
    const p = await t.http.post('/api/v1/permissions', { code: code('gone'), name: 'Gone soon' }, { token });
    const role = await t.http.post(
      '/api/v1/roles',
      { code: `CARRIER_${Date.now().toString(36).toUpperCase()}`, name: 'Carrier', permission_ids: [p.body.data.id] },
      { token },
    );
    const u = await registerAndLogin(t.http);
    await t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [role.body.data.id] }, { token });
    expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.data.permissions).toEqual([p.body.data.code]);
    await t.http.delete(`/api/v1/permissions/${p.body.data.id}`, { token });
    expect((await t.http.get(`/api/v1/roles/${role.body.data.id}`, { token })).body.data.permissions).toEqual([]);
    expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.data.permissions).toEqual([]);
  });

  it('validates codes; PERMISSION_CODE_TAKEN; system permissions are protected', async () => {
    const token = admin.access_token;
    for (const c of ['User:read', '1abc', 'a:', 'a::b', 'a b', 'a:B', ':a']) {
      const res = await t.http.post('/api/v1/permissions', { code: c, name: 'x' }, { token });
      expect([res.status, res.body.error], c).toEqual([400, 'VALIDATION_FAILED']);
    }
    for (const c of ['order:refund', 'a', 'a-b_c:d-e:f_g']) {
      expect((await t.http.post('/api/v1/permissions', { code: c, name: 'x' }, { token })).status, c).toBe(201);
    }
    const taken = await t.http.post('/api/v1/permissions', { code: 'user:read', name: 'Again' }, { token });
    expect([taken.status, taken.body.error]).toEqual([409, 'PERMISSION_CODE_TAKEN']);
    const id = await idOf(t.http, token, 'permissions', 'audit:read');
    for (const res of [
      await t.http.delete(`/api/v1/permissions/${id}`, { token }),
      await t.http.patch(`/api/v1/permissions/${id}`, { code: 'audit:peek' }, { token }),
    ]) {
      expect([res.status, res.body.error]).toEqual([409, 'PROTECTED_RESOURCE']);
    }
    // Renaming a system permission is allowed; its code stays.
    const renamed = await t.http.patch(`/api/v1/permissions/${id}`, { name: 'Read the audit log', code: 'audit:read' }, { token });
    expect(renamed.body.data).toMatchObject({ code: 'audit:read', name: 'Read the audit log', is_system: true });
  });

  it('each route needs its permission (403 otherwise); an ADMIN may manage what it holds', async () => {
    const plain = await registerAndLogin(t.http);
    for (const [method, path, json] of [
      ['GET', '/api/v1/permissions'],
      ['POST', '/api/v1/permissions', { code: 'x:y', name: 'x' }],
      ['GET', '/api/v1/permissions/1'],
      ['PATCH', '/api/v1/permissions/1', { name: 'x' }],
      ['DELETE', '/api/v1/permissions/1'],
    ] as [string, string, unknown?][]) {
      const res = await t.http.req(method, path, { token: plain.access_token, json });
      expect([res.status, res.body.error], `${method} ${path}`).toEqual([403, 'FORBIDDEN']);
    }
    const adm = await userWithRoles(t.http, admin.access_token, ['ADMIN']);
    const made = await t.http.post('/api/v1/permissions', { code: code('adm'), name: 'By admin' }, { token: adm.access_token });
    expect(made.status).toBe(201);
    expect((await t.http.patch(`/api/v1/permissions/${made.body.data.id}`, { name: 'Renamed' }, { token: adm.access_token })).status).toBe(
      200,
    );
  });
});
