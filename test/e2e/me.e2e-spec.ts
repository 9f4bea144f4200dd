import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { DB, startApp, type TestApp } from '../support/app.js';
import { login, PASSWORD, register, registerAndLogin } from '../support/users.js';

describe(`the signed-in user [${DB}]`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /users/me returns Me', async () => {
    const u = await registerAndLogin(t.http);
    const res = await t.http.get('/api/v1/users/me', { token: u.access_token });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: u.id, username: u.username, permissions: [], roles: [{ code: 'USER' }], status: 'active' });
  });

  it('PATCH /users/me changes the profile; a new email is unverified; null clears', async () => {
    const u = await registerAndLogin(t.http);
    const ds = t.app.get(DataSource);
    await ds.query('UPDATE users SET email_verified = 1 WHERE id = ?', [u.id]);
    const res = await t.http.patch(
      '/api/v1/users/me',
      {
        nickname: 'Neo',
        email: `NEW_${u.email}`,
        phone: '+8613600136000',
        avatar: 'https://cdn.example.com/neo.png',
        current_password: u.password,
      },
      { token: u.access_token },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      nickname: 'Neo',
      email: `new_${u.email}`.toLowerCase(),
      phone: '+8613600136000',
      avatar: 'https://cdn.example.com/neo.png',
      email_verified: false,
      permissions: [],
    });
    const cleared = await t.http.patch(
      '/api/v1/users/me',
      { nickname: null, phone: null, current_password: u.password },
      { token: u.access_token },
    );
    expect(cleared.body.data).toMatchObject({ nickname: null, phone: null });
    expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).body.data.nickname).toBeNull();
  });

  it('PATCH /users/me refuses roles/status, bad avatars, and taken emails', async () => {
    const u = await registerAndLogin(t.http);
    const other = await register(t.http);
    for (const body of [
      { status: 'active' },
      { roles: [1] },
      { avatar: 'javascript:alert(1)' },
      { avatar: 'ftp://x.example.com/a' },
      { email: 'nope' },
    ]) {
      const res = await t.http.patch('/api/v1/users/me', body, { token: u.access_token });
      expect([res.status, res.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    const taken = await t.http.patch('/api/v1/users/me', { email: other.email, current_password: u.password }, { token: u.access_token });
    expect([taken.status, taken.body.error]).toEqual([409, 'EMAIL_TAKEN']);
  });

  it('PUT /users/me/password checks the old password and the policy, and ends every other session', async () => {
    const u = await registerAndLogin(t.http);
    const other = await login(t.http, u.username, u.password);
    const wrong = await t.http.put(
      '/api/v1/users/me/password',
      { old_password: 'nope-nope-nope', new_password: 'An0ther-g00d-passphrase' },
      { token: u.access_token },
    );
    expect([wrong.status, wrong.body.error]).toEqual([400, 'WRONG_PASSWORD']);
    const weak = await t.http.put(
      '/api/v1/users/me/password',
      { old_password: u.password, new_password: 'password1' },
      { token: u.access_token },
    );
    expect([weak.status, weak.body.error]).toEqual([400, 'WEAK_PASSWORD']);
    const ok = await t.http.put(
      '/api/v1/users/me/password',
      { old_password: u.password, new_password: 'An0ther-g00d-passphrase' },
      { token: u.access_token },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.data).toBeNull();
    expect((await t.http.get('/api/v1/users/me', { token: u.access_token })).status).toBe(200);
    expect((await t.http.get('/api/v1/users/me', { token: other.access_token })).body.error).toBe('TOKEN_REVOKED');
    expect((await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).status).toBe(401);
    await login(t.http, u.username, 'An0ther-g00d-passphrase');
  });

  it('GET /users/me/sessions lists live sessions and marks the current one', async () => {
    const u = await registerAndLogin(t.http);
    const second = await login(t.http, u.username, u.password, { 'user-agent': 'second-device' });
    const res = await t.http.get('/api/v1/users/me/sessions', { token: u.access_token });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    const current = res.body.data.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    const other = res.body.data.find((s: { current: boolean }) => !s.current);
    expect(other).toMatchObject({
      ip: '127.0.0.1',
      user_agent: 'second-device',
      id: expect.any(String),
      expires_at: expect.stringMatching(/Z$/),
    });
    await t.http.post('/api/v1/auth/logout', {}, { token: second.access_token });
    expect((await t.http.get('/api/v1/users/me/sessions', { token: u.access_token })).body.data).toHaveLength(1);
  });

  it('DELETE /users/me/sessions/:id revokes your own session, and 404s for anyone else’s', async () => {
    const u = await registerAndLogin(t.http);
    const second = await login(t.http, u.username, u.password);
    const victim = await registerAndLogin(t.http);
    const sessions = (await t.http.get('/api/v1/users/me/sessions', { token: victim.access_token })).body.data;
    const idor = await t.http.delete(`/api/v1/users/me/sessions/${sessions[0].id}`, { token: u.access_token });
    expect([idor.status, idor.body.error]).toEqual([404, 'NOT_FOUND']);
    expect((await t.http.get('/api/v1/users/me', { token: victim.access_token })).status).toBe(200);

    const mine = (await t.http.get('/api/v1/users/me/sessions', { token: u.access_token })).body.data.find(
      (s: { current: boolean }) => !s.current,
    );
    const del = await t.http.delete(`/api/v1/users/me/sessions/${mine.id}`, { token: u.access_token });
    expect(del.status).toBe(200);
    expect((await t.http.get('/api/v1/users/me', { token: second.access_token })).body.error).toBe('TOKEN_REVOKED');
    expect((await t.http.delete('/api/v1/users/me/sessions/not-a-uuid', { token: u.access_token })).status).toBe(404);
  });

  it('keeps the old password working for someone who registered with PASSWORD', async () => {
    const u = await register(t.http);
    expect(u.password).toBe(PASSWORD);
    await login(t.http, u.username, PASSWORD);
  });
});
