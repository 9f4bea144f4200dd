import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAdmin } from '../support/admin.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import { registerAndLogin, type Tokens } from '../support/users.js';

describe(`GET /audit-logs [${DB}]`, () => {
  let t: TestApp;
  let admin: Tokens;

  beforeAll(async () => {
    t = await startApp();
    admin = await loginAdmin(t.http);
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (query: Record<string, string | number> = {}) => t.http.get('/api/v1/audit-logs', { token: admin.access_token, query });

  it('pages the log newest first, entries in the contract shape', async () => {
    await registerAndLogin(t.http);
    await registerAndLogin(t.http);
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ page: 1, page_size: 20 });
    const items = res.body.data.items as { id: number; created_at: string }[];
    expect(items.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < items.length; i++) {
      expect(items[i - 1].created_at >= items[i].created_at).toBe(true);
      if (items[i - 1].created_at === items[i].created_at) expect(items[i - 1].id).toBeGreaterThan(items[i].id);
    }
    // The admin's own login is there.
    const [loginEntry] = (await list({ action: 'auth.login.success', actor_id: admin.user.id })).body.data.items;
    expect(Object.keys(loginEntry).sort()).toEqual(
      ['action', 'actor_id', 'created_at', 'detail', 'id', 'ip', 'success', 'target_id', 'target_type', 'user_agent'].sort(),
    );
    expect(loginEntry).toMatchObject({
      action: 'auth.login.success',
      actor_id: admin.user.id,
      target_type: 'user',
      target_id: admin.user.id,
      ip: '127.0.0.1',
      success: true,
    });
    expect(loginEntry.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const asc = await list({ sort: 'id', order: 'asc', page_size: 1 });
    expect(asc.body.data.items[0].id).toBeLessThan(items[0].id);
  });

  it('filters by actor_id, action, target_id, from and to; records failures too', async () => {
    const u = await registerAndLogin(t.http);
    await t.http.post(
      '/api/v1/auth/login',
      { username: u.username, password: 'Wrong-password-1' },
      { headers: { 'user-agent': 'curl/8' } },
    );
    await t.http.patch(
      `/api/v1/users/${u.id}`,
      { nickname: 'Audited' },
      { token: admin.access_token, headers: { 'user-agent': 'console/2' } },
    );

    const mine = (await list({ actor_id: u.id, page_size: 100 })).body.data.items.map((e: { action: string }) => e.action);
    expect(mine).toEqual(expect.arrayContaining(['auth.register', 'auth.login.success']));
    const failure = (await list({ action: 'auth.login.failure', target_id: u.username })).body.data.items;
    expect(failure).toHaveLength(1);
    expect(failure[0]).toMatchObject({ success: false, user_agent: 'curl/8', detail: { reason: 'invalid_credentials' } });
    const update = (await list({ action: 'user.update', target_id: u.id })).body.data;
    expect(update.total).toBe(1);
    expect(update.items[0]).toMatchObject({
      actor_id: admin.user.id,
      target_type: 'user',
      ip: '127.0.0.1',
      user_agent: 'console/2',
      detail: { fields: ['nickname'] },
    });

    const at = update.items[0].created_at as string;
    const later = new Date(Date.parse(at) + 60_000).toISOString();
    const earlier = new Date(Date.parse(at) - 60_000).toISOString();
    expect((await list({ target_id: u.id, action: 'user.update', from: earlier, to: later })).body.data.total).toBe(1);
    expect((await list({ target_id: u.id, action: 'user.update', from: later })).body.data.total).toBe(0);
    expect((await list({ target_id: u.id, action: 'user.update', to: earlier })).body.data.total).toBe(0);
    expect((await list({ target_id: u.id, action: 'user.update', from: earlier.slice(0, 10) })).body.data.total).toBe(1);
    expect((await list({ keyword: 'USER.UPD', target_id: u.id })).body.data.total).toBe(1);
  });

  it('rejects bad queries and needs audit:read', async () => {
    for (const query of [
      { from: 'yesterday' },
      { to: '2026-13-01' },
      { page_size: 0 },
      { page_size: 101 },
      { sort: 'ip' },
      { success: 'true' },
    ] as Record<string, string | number>[]) {
      const res = await list(query);
      expect([res.status, res.body.error], JSON.stringify(query)).toEqual([400, 'VALIDATION_FAILED']);
    }
    const past = await list({ page: 100000 });
    expect(past.body.data.items).toEqual([]);
    expect(past.body.data.total).toBeGreaterThan(0);
    const plain = await registerAndLogin(t.http);
    const res = await t.http.get('/api/v1/audit-logs', { token: plain.access_token });
    expect([res.status, res.body.error]).toEqual([403, 'FORBIDDEN']);
    expect((await t.http.get('/api/v1/audit-logs')).status).toBe(401);
  });
});
