import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/keys/key-store.js';
import { publicKeyPem, signAccess } from '../support/tokens.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import { login, register, registerAndLogin } from '../support/users.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe(`tokens, refresh and logout [${DB}]`, () => {
  let t: TestApp;
  const me = (token: string) => t.http.get('/api/v1/users/me', { token });
  const refresh = (token: string) => t.http.post('/api/v1/auth/refresh', undefined, { token });

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the access token', () => {
    it('is required: no token → 401 UNAUTHENTICATED with a Bearer challenge', async () => {
      const res = await t.http.get('/api/v1/users/me');
      expect([res.status, res.body.error]).toEqual([401, 'UNAUTHENTICATED']);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    });

    it('carries the claims of docs/api.md §6 and no permissions', async () => {
      const u = await registerAndLogin(t.http);
      const claims = jwt.decode(u.access_token, { complete: true })!;
      expect(claims.header.alg).toBe('ES256');
      expect(claims.header.kid).toEqual(expect.any(String));
      expect(claims.payload).toEqual({
        iss: t.config.jwt.issuer,
        aud: 'authcentre-api',
        sub: u.id,
        sid: expect.any(String),
        jti: expect.any(String),
        typ: 'access',
        iat: expect.any(Number),
        nbf: expect.any(Number),
        exp: expect.any(Number),
      });
      const payload = claims.payload as jwt.JwtPayload;
      expect(payload.exp! - payload.iat!).toBe(900);
      expect((jwt.decode(u.refresh_token) as jwt.JwtPayload).typ).toBe('refresh');
    });

    it('refuses alg:none, a tampered payload, a guessed secret, a wrong issuer or audience → INVALID_TOKEN', async () => {
      const u = await registerAndLogin(t.http);
      // Used once first, so the guard remembers it as verified: forgeries of it must still fail.
      expect((await me(u.access_token)).status).toBe(200);
      const [header, payload, signature] = u.access_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const other = await register(t.http);
      const forged = [
        `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: other.id })}.`,
        `${header}.${b64({ ...claims, sub: other.id })}.${signature}`,
        jwt.sign({ ...claims }, 'secret', { algorithm: 'HS256', noTimestamp: true }),
        jwt.sign({ ...claims }, 'changeme-changeme-changeme-changeme', { algorithm: 'HS256', noTimestamp: true }),
        signAccess(t, { ...claims, iss: 'evil' }),
        signAccess(t, { ...claims, aud: 'other-api' }),
        // Algorithm confusion: HS256 "signed" with the public key, under the real kid.
        jwt.sign({ ...claims }, publicKeyPem(t), {
          algorithm: 'HS256',
          noTimestamp: true,
          keyid: jwt.decode(u.access_token, { complete: true })!.header.kid,
        }),
        signAccess(t, { ...claims }, { keyid: 'no-such-kid' }),
        'not.a.jwt',
        'garbage',
      ];
      for (const token of forged) {
        const res = await me(token);
        expect([res.status, res.body.error], token).toEqual([401, 'INVALID_TOKEN']);
      }
      expect((await me(u.access_token)).status).toBe(200);
    });

    it('answers an expired token with TOKEN_EXPIRED', async () => {
      const u = await registerAndLogin(t.http);
      const claims = jwt.decode(u.access_token) as jwt.JwtPayload;
      const now = Math.floor(Date.now() / 1000);
      const expired = signAccess(t, { ...claims, iat: now - 1000, nbf: now - 1000, exp: now - 10 });
      const res = await me(expired);
      expect([res.status, res.body.error]).toEqual([401, 'TOKEN_EXPIRED']);
    });

    it('is remembered as verified only until it expires', async () => {
      const u = await registerAndLogin(t.http);
      const claims = jwt.decode(u.access_token) as jwt.JwtPayload;
      const now = Math.floor(Date.now() / 1000);
      const shortLived = signAccess(t, { ...claims, iat: now, nbf: now, exp: now + 2 });
      expect((await me(shortLived)).status).toBe(200);
      expect((await me(shortLived)).status).toBe(200);
      await new Promise((r) => setTimeout(r, (now + 2) * 1000 - Date.now() + 50));
      const res = await me(shortLived);
      expect([res.status, res.body.error]).toEqual([401, 'TOKEN_EXPIRED']);
    });

    it('refuses a refresh token as an access token, and an access token at /refresh → INVALID_TOKEN_TYPE', async () => {
      const u = await registerAndLogin(t.http);
      const asAccess = await me(u.refresh_token);
      expect([asAccess.status, asAccess.body.error]).toEqual([401, 'INVALID_TOKEN_TYPE']);
      const asRefresh = await refresh(u.access_token);
      expect([asRefresh.status, asRefresh.body.error]).toEqual([401, 'INVALID_TOKEN_TYPE']);
      // A token signed with the access key but claiming typ=refresh is refused too.
      const claims = jwt.decode(u.access_token) as jwt.JwtPayload;
      const confused = signAccess(t, { ...claims, typ: 'refresh' });
      expect((await refresh(confused)).body.error).toBe('INVALID_TOKEN_TYPE');
      expect((await me(confused)).body.error).toBe('INVALID_TOKEN_TYPE');
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: a new pair of the same session, from the header or the body', async () => {
      const u = await registerAndLogin(t.http);
      const first = await refresh(u.refresh_token);
      expect(first.status).toBe(200);
      expect(first.body.data).toMatchObject({
        token_type: 'Bearer',
        expires_in: 900,
        access_token: expect.any(String),
        refresh_token: expect.any(String),
      });
      expect(first.body.data).not.toHaveProperty('user');
      const sid = (t: string) => (jwt.decode(t) as jwt.JwtPayload).sid;
      expect(sid(first.body.data.refresh_token)).toBe(sid(u.refresh_token));
      expect(first.body.data.refresh_token).not.toBe(u.refresh_token);
      const second = await t.http.post('/api/v1/auth/refresh', { refresh_token: first.body.data.refresh_token });
      expect(second.status).toBe(200);
      expect((await me(second.body.data.access_token)).status).toBe(200);
    });

    it('answers a missing token with UNAUTHENTICATED and junk with INVALID_TOKEN', async () => {
      expect((await t.http.post('/api/v1/auth/refresh', {})).body.error).toBe('UNAUTHENTICATED');
      expect((await t.http.post('/api/v1/auth/refresh', { refresh_token: 'junk' })).body.error).toBe('INVALID_TOKEN');
    });

    it('treats a spent refresh token as theft: REFRESH_TOKEN_REUSED, and the whole session dies, others live on', async () => {
      const u = await registerAndLogin(t.http);
      const other = await login(t.http, u.username, u.password);
      const rotated = (await refresh(u.refresh_token)).body.data;

      const reuse = await refresh(u.refresh_token);
      expect([reuse.status, reuse.body.error]).toEqual([401, 'REFRESH_TOKEN_REUSED']);
      // The thief's copy and the victim's newest tokens of that session stop working at once.
      expect((await me(rotated.access_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await me(u.access_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await refresh(rotated.refresh_token)).body.error).toBe('TOKEN_REVOKED');
      // The user's other session is untouched.
      expect((await me(other.access_token)).status).toBe(200);
      expect((await refresh(other.refresh_token)).status).toBe(200);
      const rows = await t.app
        .get(DataSource)
        .query("SELECT success FROM audit_logs WHERE action = 'auth.refresh.reuse_detected' AND actor_id = ?", [u.id]);
      expect(rows).toHaveLength(1);
    });

    it('lets exactly one of two simultaneous refreshes with one token win', async () => {
      const u = await registerAndLogin(t.http);
      const results = await Promise.all(Array.from({ length: 10 }, () => refresh(u.refresh_token)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401).every((r) => ['REFRESH_TOKEN_REUSED', 'TOKEN_REVOKED'].includes(r.body.error))).toBe(
        true,
      );
      expect(statuses.every((s) => s === 200 || s === 401)).toBe(true);
    });

    it('within REFRESH_GRACE_SECONDS, the token spent last yields a fresh pair of the same session', async () => {
      const g = await startApp({ REFRESH_GRACE_SECONDS: '30' });
      try {
        const u = await registerAndLogin(g.http);
        const tab1 = await g.http.post('/api/v1/auth/refresh', undefined, { token: u.refresh_token });
        const tab2 = await g.http.post('/api/v1/auth/refresh', undefined, { token: u.refresh_token });
        expect([tab1.status, tab2.status]).toEqual([200, 200]);
        const sid = (x: string) => (jwt.decode(x) as jwt.JwtPayload).sid;
        expect(sid(tab2.body.data.refresh_token)).toBe(sid(u.refresh_token));
        // Both tabs can carry on: their refresh tokens name the session's current token.
        expect((await g.http.post('/api/v1/auth/refresh', undefined, { token: tab2.body.data.refresh_token })).status).toBe(200);
        // A token older than the last spent one is still theft.
        const again = await g.http.post('/api/v1/auth/refresh', undefined, { token: u.refresh_token });
        expect(again.body.error).toBe('REFRESH_TOKEN_REUSED');
      } finally {
        await g.close();
      }
    });
  });

  describe('POST /auth/logout', () => {
    it('revokes the caller’s session at the next request', async () => {
      const u = await registerAndLogin(t.http);
      const other = await login(t.http, u.username, u.password);
      const warm = await me(u.access_token); // warm the cache
      expect(warm.status, JSON.stringify(warm.body)).toBe(200);
      const out = await t.http.post('/api/v1/auth/logout', {}, { token: u.access_token });
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ code: 0, message: 'OK', data: null });
      expect((await me(u.access_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await refresh(u.refresh_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await me(other.access_token)).status).toBe(200);
    });

    it('with all_sessions: true revokes every session of the user', async () => {
      const u = await registerAndLogin(t.http);
      const other = await login(t.http, u.username, u.password);
      await t.http.post('/api/v1/auth/logout', { all_sessions: true }, { token: u.access_token });
      expect((await me(u.access_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await me(other.access_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await refresh(other.refresh_token)).body.error).toBe('TOKEN_REVOKED');
    });

    it('stops tokens of a disabled or deleted user at once', async () => {
      const ds = t.app.get(DataSource);
      const a = await registerAndLogin(t.http);
      expect((await me(a.access_token)).status).toBe(200);
      // Direct writes stand in for the admin routes here; they invalidate through the service.
      const sessions = t.app.get((await import('../../src/sessions/session.service.js')).SessionService);
      const access = t.app.get((await import('../../src/authz/access.service.js')).AccessService);
      await ds.query("UPDATE users SET status = 'disabled' WHERE id = ?", [a.id]);
      await access.invalidate('user', a.id);
      expect((await me(a.access_token)).body.error).toBe('TOKEN_REVOKED');
      await sessions.revokeAllForUser(a.id, 'user_disabled');
      expect((await refresh(a.refresh_token)).body.error).toBe('TOKEN_REVOKED');
    });

    it('signs access tokens ES256 with the active signing key, refresh tokens HS256 with the refresh secret', async () => {
      const u = await registerAndLogin(t.http);
      const active = t.app.get(KeyStore).signingKey('ES256');
      expect(jwt.decode(u.access_token, { complete: true })!.header).toMatchObject({ alg: 'ES256', kid: active.kid });
      expect(jwt.verify(u.access_token, active.publicKey, { algorithms: ['ES256'] })).toMatchObject({ sub: u.id, typ: 'access' });
      const [h, p, s] = u.refresh_token.split('.');
      expect(s).toBe(createHmac('sha256', t.config.jwt.refreshSecret!).update(`${h}.${p}`).digest('base64url'));
    });
  });
});
