import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startIssuer, type TestApp } from '../support/app.js';
import { idOf, loginAdmin, userWithRoles } from '../support/admin.js';
import { discover, refusal } from '../support/oauth.js';
import { uniqueName } from '../support/users.js';

/** docs/api.md §9: /api/v1/clients, their secrets, the rules of registration and of escalation. */
describe(`OAuth clients [${DB}]`, () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await startIssuer();
    adminToken = (await loginAdmin(t.http)).access_token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (body: Record<string, unknown>, token = adminToken) => t.http.post('/api/v1/clients', body, { token });

  it('registers a confidential client: the secret once, stored as a digest only; audited', async () => {
    const res = await create({
      name: 'Billing',
      type: 'confidential',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://billing.example.com/cb'],
    });
    expect(res.status).toBe(201);
    const data = res.body.data;
    expect(data).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_id: expect.stringMatching(/^[a-z0-9][a-z0-9_.-]{2,63}$/),
      name: 'Billing',
      type: 'confidential',
      redirect_uris: ['https://billing.example.com/cb'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'phone', 'offline_access', 'roles'],
      roles: [],
      first_party: false,
      status: 'active',
    });
    expect(Buffer.from(data.client_secret, 'base64url')).toHaveLength(32);
    const read = await t.http.get(`/api/v1/clients/${data.id}`, { token: adminToken });
    expect(read.body.data).not.toHaveProperty('client_secret');
    expect((await t.http.get(`/api/v1/clients/${data.client_id}`, { token: adminToken })).body.data.id).toBe(data.id);
    const [row] = await t.app.get(DataSource).query('SELECT secrets FROM clients WHERE id = ?', [data.id]);
    expect(row.secrets).not.toContain(data.client_secret);
    expect(JSON.parse(row.secrets)[0].digest).toMatch(/^[0-9a-f]{64}$/);
    const [audit] = await t.app
      .get(DataSource)
      .query("SELECT actor_id FROM audit_logs WHERE action = 'client.create' AND target_id = ?", [data.id]);
    expect(audit).toBeTruthy();
    const list = await t.http.get('/api/v1/clients', { token: adminToken, query: { keyword: 'billing' } });
    expect(list.body.data).toMatchObject({ total: 1, page: 1, page_size: 20 });
    // A public client has no secret.
    const spa = await create({
      name: 'SPA',
      type: 'public',
      grant_types: ['authorization_code'],
      redirect_uris: ['http://localhost:5173/callback'],
    });
    expect(spa.status).toBe(201);
    expect(spa.body.data).not.toHaveProperty('client_secret');
  });

  it('refuses what the protocol forbids: http redirect URIs off loopback, fragments, password/client_credentials for public clients, a taken client_id', async () => {
    for (const [body, field] of [
      [{ name: 'x', type: 'public', grant_types: ['authorization_code'], redirect_uris: ['http://app.example.com/cb'] }, 'redirect_uris'],
      [
        { name: 'x', type: 'public', grant_types: ['authorization_code'], redirect_uris: ['https://app.example.com/cb#x'] },
        'redirect_uris',
      ],
      [{ name: 'x', type: 'public', grant_types: ['authorization_code'] }, 'redirect_uris'],
      [{ name: 'x', type: 'public', grant_types: ['password'] }, 'grant_types'],
      [{ name: 'x', type: 'public', grant_types: ['client_credentials'] }, 'grant_types'],
      [{ name: 'x', type: 'confidential', grant_types: ['implicit'] }, 'grant_types'],
      [{ name: 'x', type: 'confidential', grant_types: ['client_credentials'], client_id: 'UPPER' }, 'client_id'],
    ] as const) {
      const res = await create(body);
      expect([res.status, res.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      expect(
        res.body.details.map((d: { field: string }) => d.field),
        JSON.stringify(res.body.details),
      ).toContain(field);
    }
    const id = `dup-${uniqueName('c').toLowerCase().replace(/_/g, '-')}`;
    expect((await create({ name: 'a', type: 'confidential', grant_types: ['client_credentials'], client_id: id })).status).toBe(201);
    const taken = await create({ name: 'b', type: 'confidential', grant_types: ['client_credentials'], client_id: id });
    expect([taken.status, taken.body.error]).toEqual([409, 'CLIENT_ID_TAKEN']);
  });

  it('rotates the secret: the new one works at once, the previous one only during the grace period', async () => {
    const c = (await create({ name: 'job', type: 'confidential', grant_types: ['client_credentials'] })).body.data;
    const rotated = await t.http.post(`/api/v1/clients/${c.id}/secret`, { grace_seconds: 3600 }, { token: adminToken });
    expect(rotated.status).toBe(200);
    const next = rotated.body.data.client_secret;
    expect(next).not.toBe(c.client_secret);
    for (const secret of [c.client_secret, next]) {
      expect((await client.clientCredentialsGrant(await discover(t.url, { ...c, client_secret: secret }))).access_token).toEqual(
        expect.any(String),
      );
    }
    // Without a grace period the previous secret stops at once.
    const third = (await t.http.post(`/api/v1/clients/${c.id}/secret`, {}, { token: adminToken })).body.data.client_secret;
    expect((await refusal(client.clientCredentialsGrant(await discover(t.url, { ...c, client_secret: next })))).error).toBe(
      'invalid_client',
    );
    expect((await refusal(client.clientCredentialsGrant(await discover(t.url, { ...c, client_secret: c.client_secret })))).error).toBe(
      'invalid_client',
    );
    expect((await client.clientCredentialsGrant(await discover(t.url, { ...c, client_secret: third }))).access_token).toEqual(
      expect.any(String),
    );
    expect((await t.http.post(`/api/v1/clients/${c.id}/secret`, { grace_seconds: 31 * 86_400 }, { token: adminToken })).status).toBe(400);
    const [audit] = await t.app
      .get(DataSource)
      .query("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'client.secret.rotate' AND target_id = ?", [c.id]);
    expect(Number(audit.n)).toBe(2);
  });

  it('deleting a client ends its tokens; a non-SUPER_ADMIN gives a client only roles they hold', async () => {
    const c = (await create({ name: 'gone', type: 'confidential', grant_types: ['client_credentials'] })).body.data;
    const token = (await client.clientCredentialsGrant(await discover(t.url, c))).access_token;
    expect((await t.http.get('/api/v1/users', { token })).body.error).toBe('FORBIDDEN');
    expect((await t.http.delete(`/api/v1/clients/${c.id}`, { token: adminToken })).status).toBe(200);
    expect((await t.http.get('/api/v1/users', { token })).body.error).toBe('TOKEN_REVOKED');
    expect((await t.http.get(`/api/v1/clients/${c.id}`, { token: adminToken })).status).toBe(404);

    const admin = await userWithRoles(t.http, adminToken, ['ADMIN']);
    const superRole = await idOf(t.http, adminToken, 'roles', 'SUPER_ADMIN');
    const escalate = await create(
      { name: 'escalate', type: 'confidential', grant_types: ['client_credentials'], role_ids: [superRole] },
      admin.access_token,
    );
    expect([escalate.status, escalate.body.error]).toEqual([403, 'FORBIDDEN']);
    const adminRole = await idOf(t.http, adminToken, 'roles', 'ADMIN');
    expect(
      (await create({ name: 'ok', type: 'confidential', grant_types: ['client_credentials'], role_ids: [adminRole] }, admin.access_token))
        .status,
    ).toBe(201);
    // A client whose service account holds SUPER_ADMIN is out of an ADMIN's reach.
    const mighty = (await create({ name: 'mighty', type: 'confidential', grant_types: ['client_credentials'], role_ids: [superRole] })).body
      .data;
    expect((await t.http.patch(`/api/v1/clients/${mighty.id}`, { name: 'renamed' }, { token: admin.access_token })).body.error).toBe(
      'FORBIDDEN',
    );
    expect((await t.http.delete(`/api/v1/clients/${mighty.id}`, { token: admin.access_token })).body.error).toBe('FORBIDDEN');
    // Plain users: no client routes at all.
    const plain = await userWithRoles(t.http, adminToken, ['USER']);
    expect((await t.http.get('/api/v1/clients', { token: plain.access_token })).body.error).toBe('FORBIDDEN');
  });
});
