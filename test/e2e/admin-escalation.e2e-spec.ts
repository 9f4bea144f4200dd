import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, idOf, loginAdmin, userWithRoles } from '../support/admin.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import { PASSWORD, register, registerAndLogin, uniqueName, type Tokens } from '../support/users.js';

/**
 * docs/api.md §5 "no privilege escalation", enforced in the services. The attacker holds the
 * ADMIN role: all 13 system permissions, but not SUPER_ADMIN.
 */
describe(`no privilege escalation [${DB}]`, () => {
  let t: TestApp;
  let admin: Tokens;
  let attacker: Tokens & { id: string };
  let ids: { SUPER_ADMIN: number; ADMIN: number; USER: number; refund: number; REFUNDER: number };

  beforeAll(async () => {
    t = await startApp();
    admin = await loginAdmin(t.http);
    attacker = await userWithRoles(t.http, admin.access_token, ['ADMIN']);
    // A permission the attacker does not hold, and a role that carries it.
    const refund = await t.http.post('/api/v1/permissions', { code: 'order:refund', name: 'Refund orders' }, { token: admin.access_token });
    const refunder = await t.http.post(
      '/api/v1/roles',
      { code: 'REFUNDER', name: 'Refunder', permission_ids: [refund.body.data.id] },
      { token: admin.access_token },
    );
    ids = {
      SUPER_ADMIN: await idOf(t.http, admin.access_token, 'roles', 'SUPER_ADMIN'),
      ADMIN: await idOf(t.http, admin.access_token, 'roles', 'ADMIN'),
      USER: await idOf(t.http, admin.access_token, 'roles', 'USER'),
      refund: refund.body.data.id,
      REFUNDER: refunder.body.data.id,
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const forbidden = (res: { status: number; body: { error: string } }) => expect([res.status, res.body.error]).toEqual([403, 'FORBIDDEN']);
  const protectedResource = (res: { status: number; body: { error: string } }) =>
    expect([res.status, res.body.error]).toEqual([409, 'PROTECTED_RESOURCE']);

  it('the attacker holds all 17 ADMIN permissions but not SUPER_ADMIN', async () => {
    const me = await t.http.get('/api/v1/users/me', { token: attacker.access_token });
    expect(me.body.data.permissions).toHaveLength(17);
    expect(me.body.data.permissions).not.toContain('order:refund');
    expect(me.body.data.roles.map((r: { code: string }) => r.code)).toEqual(['ADMIN']);
  });

  it('cannot assign SUPER_ADMIN, to themselves or anyone', async () => {
    const token = attacker.access_token;
    forbidden(await t.http.put(`/api/v1/users/${attacker.id}/roles`, { role_ids: [ids.ADMIN, ids.SUPER_ADMIN] }, { token }));
    const victim = await register(t.http);
    forbidden(await t.http.put(`/api/v1/users/${victim.id}/roles`, { role_ids: [ids.SUPER_ADMIN] }, { token }));
    forbidden(await t.http.post('/api/v1/users', { username: uniqueName(), password: PASSWORD, role_ids: [ids.SUPER_ADMIN] }, { token }));
    const me = await t.http.get('/api/v1/users/me', { token });
    expect(me.body.data.roles.map((r: { code: string }) => r.code)).toEqual(['ADMIN']);
  });

  it('cannot grant a role carrying a permission they lack, nor take one away', async () => {
    const token = attacker.access_token;
    forbidden(await t.http.put(`/api/v1/users/${attacker.id}/roles`, { role_ids: [ids.ADMIN, ids.REFUNDER] }, { token }));
    forbidden(await t.http.post('/api/v1/users', { username: uniqueName(), password: PASSWORD, role_ids: [ids.REFUNDER] }, { token }));
    const holder = await register(t.http);
    await t.http.put(`/api/v1/users/${holder.id}/roles`, { role_ids: [ids.USER, ids.REFUNDER] }, { token: admin.access_token });
    forbidden(await t.http.put(`/api/v1/users/${holder.id}/roles`, { role_ids: [ids.USER] }, { token }));
    // A user who holds more than the attacker could grant is out of reach altogether.
    forbidden(await t.http.put(`/api/v1/users/${holder.id}/roles`, { role_ids: [ids.USER, ids.REFUNDER, ids.ADMIN] }, { token }));
    const read = await t.http.get(`/api/v1/users/${holder.id}`, { token });
    expect(read.body.data.roles.map((r: { code: string }) => r.code).sort()).toEqual(['REFUNDER', 'USER']);
  });

  it('cannot take over a user who holds a permission they lack (password, email, status, sessions, unlock, delete)', async () => {
    const token = attacker.access_token;
    const refunder = await userWithRoles(t.http, admin.access_token, ['REFUNDER']);
    forbidden(await t.http.put(`/api/v1/users/${refunder.id}/password`, { new_password: 'Attacker-chosen-pass-1' }, { token }));
    forbidden(await t.http.patch(`/api/v1/users/${refunder.id}`, { email: 'attacker@example.com' }, { token }));
    forbidden(await t.http.patch(`/api/v1/users/${refunder.id}`, { status: 'disabled' }, { token }));
    forbidden(await t.http.delete(`/api/v1/users/${refunder.id}/sessions`, { token }));
    forbidden(await t.http.post(`/api/v1/users/${refunder.id}/unlock`, undefined, { token }));
    forbidden(await t.http.delete(`/api/v1/users/${refunder.id}`, { token }));
    const me = await t.http.get('/api/v1/users/me', { token: refunder.access_token });
    expect(me.body.data).toMatchObject({ email: refunder.email.toLowerCase(), status: 'active', permissions: ['order:refund'] });
    // A peer with nothing beyond the attacker's reach can be managed.
    const peer = await userWithRoles(t.http, admin.access_token, ['ADMIN']);
    expect((await t.http.patch(`/api/v1/users/${peer.id}`, { nickname: 'Peer' }, { token })).status).toBe(200);
  });

  it('can grant what they hold (control case)', async () => {
    const u = await registerAndLogin(t.http);
    const res = await t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [ids.ADMIN] }, { token: attacker.access_token });
    expect(res.status).toBe(200);
    const created = await t.http.post(
      '/api/v1/users',
      { username: uniqueName(), password: PASSWORD, role_ids: [ids.ADMIN, ids.USER] },
      { token: attacker.access_token },
    );
    expect(created.status).toBe(201);
  });

  it('cannot put a permission they lack into a role (create, set, their own role), nor manage a role beyond reach', async () => {
    const token = attacker.access_token;
    forbidden(await t.http.post('/api/v1/roles', { code: 'SNEAKY', name: 'Sneaky', permission_ids: [ids.refund] }, { token }));
    forbidden(await t.http.put(`/api/v1/roles/${ids.ADMIN}/permissions`, { permission_ids: [ids.refund] }, { token }));
    const own = await t.http.post('/api/v1/roles', { code: 'OWN_ROLE', name: 'Own' }, { token });
    expect(own.status).toBe(201);
    forbidden(await t.http.put(`/api/v1/roles/${own.body.data.id}/permissions`, { permission_ids: [ids.refund] }, { token }));
    forbidden(await t.http.patch(`/api/v1/roles/${ids.REFUNDER}`, { name: 'Mine now' }, { token }));
    forbidden(await t.http.delete(`/api/v1/roles/${ids.REFUNDER}`, { token }));
    forbidden(await t.http.put(`/api/v1/roles/${ids.REFUNDER}/permissions`, { permission_ids: [] }, { token }));
    forbidden(await t.http.patch(`/api/v1/roles/${ids.SUPER_ADMIN}`, { name: 'Renamed' }, { token }));
    // Nothing changed.
    const refunder = await t.http.get(`/api/v1/roles/${ids.REFUNDER}`, { token });
    expect(refunder.body.data).toMatchObject({ name: 'Refunder', permissions: [{ id: ids.refund }] });
    const adminRole = await t.http.get(`/api/v1/roles/${ids.ADMIN}`, { token });
    expect(adminRole.body.data.permissions).toHaveLength(17);
    // Within reach it works: a role with permissions they hold.
    const userRead = await idOf(t.http, token, 'permissions', 'user:read');
    const set = await t.http.put(`/api/v1/roles/${own.body.data.id}/permissions`, { permission_ids: [userRead] }, { token });
    expect(set.status).toBe(200);
    expect(set.body.data.permissions).toMatchObject([{ code: 'user:read' }]);
  });

  it('cannot re-code or delete a permission a role carries that they lack, nor re-code any assigned one', async () => {
    const token = attacker.access_token;
    forbidden(await t.http.delete(`/api/v1/permissions/${ids.refund}`, { token }));
    forbidden(await t.http.patch(`/api/v1/permissions/${ids.refund}`, { name: 'x' }, { token }));
    // Re-coding a permission they hold (carried by a role) would grant the new code to its holders.
    const report = await t.http.post('/api/v1/permissions', { code: 'report:view', name: 'View reports' }, { token: admin.access_token });
    const carrier = await t.http.post(
      '/api/v1/roles',
      { code: 'REPORTER', name: 'Reporter', permission_ids: [report.body.data.id] },
      { token: admin.access_token },
    );
    await t.http.put(`/api/v1/users/${attacker.id}/roles`, { role_ids: [ids.ADMIN, carrier.body.data.id] }, { token: admin.access_token });
    forbidden(await t.http.patch(`/api/v1/permissions/${report.body.data.id}`, { code: 'order:refund-all' }, { token }));
    // Unassigned permissions are nobody's: they may be edited and re-coded freely.
    const loose = await t.http.post('/api/v1/permissions', { code: 'loose:thing', name: 'Loose' }, { token });
    expect(loose.status).toBe(201);
    const recoded = await t.http.patch(`/api/v1/permissions/${loose.body.data.id}`, { code: 'loose:other' }, { token });
    expect([recoded.status, recoded.body.data?.code]).toEqual([200, 'loose:other']);
    expect((await t.http.delete(`/api/v1/permissions/${loose.body.data.id}`, { token })).status).toBe(200);
  });

  it('cannot act on a SUPER_ADMIN user in any way', async () => {
    const token = attacker.access_token;
    const sa = admin.user.id;
    forbidden(await t.http.patch(`/api/v1/users/${sa}`, { nickname: 'owned' }, { token }));
    forbidden(await t.http.patch(`/api/v1/users/${sa}`, { status: 'disabled' }, { token }));
    forbidden(await t.http.delete(`/api/v1/users/${sa}`, { token }));
    forbidden(await t.http.put(`/api/v1/users/${sa}/roles`, { role_ids: [ids.USER] }, { token }));
    forbidden(await t.http.put(`/api/v1/users/${sa}/password`, { new_password: 'Attacker-chosen-pass-1' }, { token }));
    forbidden(await t.http.delete(`/api/v1/users/${sa}/sessions`, { token }));
    forbidden(await t.http.post(`/api/v1/users/${sa}/unlock`, undefined, { token }));
    // Reading is allowed (user:read), and the super admin is untouched.
    const read = await t.http.get(`/api/v1/users/${sa}`, { token });
    expect(read.status).toBe(200);
    expect(read.body.data.nickname).toBeNull();
    expect((await t.http.get('/api/v1/users/me', { token: admin.access_token })).status).toBe(200);
    await loginAdmin(t.http);
  });

  it('system roles and permissions cannot be deleted or re-coded, even by SUPER_ADMIN; SUPER_ADMIN keeps every permission', async () => {
    const token = admin.access_token;
    const userRead = await idOf(t.http, token, 'permissions', 'user:read');
    protectedResource(await t.http.delete(`/api/v1/roles/${ids.USER}`, { token }));
    protectedResource(await t.http.delete(`/api/v1/roles/${ids.SUPER_ADMIN}`, { token }));
    protectedResource(await t.http.patch(`/api/v1/roles/${ids.ADMIN}`, { code: 'ADMINS' }, { token }));
    protectedResource(await t.http.put(`/api/v1/roles/${ids.SUPER_ADMIN}/permissions`, { permission_ids: [] }, { token }));
    protectedResource(await t.http.delete(`/api/v1/permissions/${userRead}`, { token }));
    protectedResource(await t.http.patch(`/api/v1/permissions/${userRead}`, { code: 'user:peek' }, { token }));
    protectedResource(await t.http.delete(`/api/v1/roles/${ids.USER}`, { token: attacker.access_token }));
    // A system role may be renamed, keeping its code.
    const renamed = await t.http.patch(`/api/v1/roles/${ids.USER}`, { name: 'Member', code: 'USER' }, { token });
    expect(renamed.body.data).toMatchObject({ code: 'USER', name: 'Member', is_system: true });
  });

  it('nobody can remove the last active SUPER_ADMIN (roles, disable, delete)', async () => {
    const token = admin.access_token;
    protectedResource(await t.http.put(`/api/v1/users/${admin.user.id}/roles`, { role_ids: [ids.ADMIN] }, { token }));
    protectedResource(await t.http.delete(`/api/v1/users/${admin.user.id}`, { token }));
    // A second super admin disables the first: allowed (one remains) ...
    const second = await userWithRoles(t.http, token, ['SUPER_ADMIN']);
    const disabled = await t.http.patch(`/api/v1/users/${admin.user.id}`, { status: 'disabled' }, { token: second.access_token });
    expect(disabled.status).toBe(200);
    // ... and is now the last active one: it cannot lose SUPER_ADMIN or be deleted.
    protectedResource(await t.http.put(`/api/v1/users/${second.id}/roles`, { role_ids: [] }, { token: second.access_token }));
    // Re-enable the seeded admin; then the second may step down.
    expect((await t.http.patch(`/api/v1/users/${admin.user.id}`, { status: 'active' }, { token: second.access_token })).status).toBe(200);
    admin = await loginAdmin(t.http);
    const stepDown = await t.http.put(`/api/v1/users/${second.id}/roles`, { role_ids: [ids.USER] }, { token: second.access_token });
    expect(stepDown.status).toBe(200);
    // The step-down is in force at the next request with the same token.
    forbidden(await t.http.get('/api/v1/audit-logs', { token: second.access_token }));
  });

  it('two super admins disabling each other at once: one of them stays active', async () => {
    const a = await userWithRoles(t.http, admin.access_token, ['SUPER_ADMIN']);
    const b = await userWithRoles(t.http, admin.access_token, ['SUPER_ADMIN']);
    // Take the seeded admin out of the picture (disabled by a), so a and b are the only active ones.
    expect((await t.http.patch(`/api/v1/users/${admin.user.id}`, { status: 'disabled' }, { token: a.access_token })).status).toBe(200);
    const results = await Promise.all([
      t.http.patch(`/api/v1/users/${b.id}`, { status: 'disabled' }, { token: a.access_token }),
      t.http.patch(`/api/v1/users/${a.id}`, { status: 'disabled' }, { token: b.access_token }),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect([401, 409]).toContain(r.status);
    const [{ n }] = await t.app
      .get(DataSource)
      .query(
        "SELECT COUNT(*) AS n FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id WHERE r.code = 'SUPER_ADMIN' AND u.status = 'active' AND u.deleted_at IS NULL",
      );
    expect(Number(n)).toBe(1);
    // Restore the seeded admin for any later test.
    const survivor = results[0].status === 200 ? a : b;
    expect((await t.http.patch(`/api/v1/users/${admin.user.id}`, { status: 'active' }, { token: survivor.access_token })).status).toBe(200);
    admin = await loginAdmin(t.http);
  });

  it('a created user never gets more than the creator could give (mass assignment refused)', async () => {
    const res = await t.http.post(
      '/api/v1/users',
      { username: uniqueName(), password: PASSWORD, roles: [{ code: 'SUPER_ADMIN' }] },
      { token: attacker.access_token },
    );
    expect([res.status, res.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    const u = await createUser(t.http, attacker.access_token);
    const read = await t.http.get(`/api/v1/users/${u.id}`, { token: admin.access_token });
    expect(read.body.data.roles.map((r: { code: string }) => r.code)).toEqual(['USER']);
  });
});
