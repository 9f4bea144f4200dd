import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/keys/key-store.js';
import { SigningKey } from '../../src/keys/signing-key.entity.js';
import { ADMIN, DB, startIssuer, type TestApp } from '../support/app.js';
import { idOf, loginAdmin } from '../support/admin.js';
import { discover, refusal, registerClient, type RegisteredClient } from '../support/oauth.js';
import { publicKeyPem } from '../support/tokens.js';
import { codeForStep, stepAt, TotpDevice } from '../support/totp.js';
import { register, registerAndLogin, uniqueName } from '../support/users.js';

/**
 * The authorization server (docs/api.md §8, §9), driven by client libraries nobody here
 * wrote: openid-client for every grant, introspection and revocation, and jose as a
 * resource server verifying our tokens from the JWKS.
 */
describe(`the authorization server [${DB}]`, () => {
  let t: TestApp;
  let adminToken: string;
  let issuer: string;
  let svc: RegisteredClient;
  let svcPlain: RegisteredClient;
  let pig: RegisteredClient;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    t = await startIssuer({ LOGIN_MAX_FAILURES: '3', CAPTCHA_AFTER_FAILURES: '0', MFA_REQUIRED_ROLES: 'OAUTH_MFA_REQUIRED' });
    issuer = `${t.url}/oauth2`;
    adminToken = (await loginAdmin(t.http)).access_token;
    // A role for a service account: it may read the audit log, nothing else.
    const auditRead = await idOf(t.http, adminToken, 'permissions', 'audit:read');
    const role = await t.http.post(
      '/api/v1/roles',
      { code: `AUDITOR_${uniqueName('r').toUpperCase()}`.slice(0, 60), name: 'Auditor', permission_ids: [auditRead] },
      { token: adminToken },
    );
    expect(role.status).toBe(201);
    svc = await registerClient(t.http, adminToken, {
      name: 'Reporting job',
      type: 'confidential',
      grant_types: ['client_credentials'],
      role_ids: [role.body.data.id],
    });
    svcPlain = await registerClient(t.http, adminToken, { name: 'No-role job', type: 'confidential', grant_types: ['client_credentials'] });
    pig = await registerClient(t.http, adminToken, {
      name: 'pig admin console',
      client_id: `pig-${uniqueName('c').toLowerCase()}`.replace(/_/g, '-'),
      type: 'confidential',
      grant_types: ['password', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'roles', 'offline_access'],
    });
    jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`), { cacheMaxAge: 0, cooldownDuration: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  const verifyAsResourceServer = (token: string) =>
    jwtVerify(token, jwks, { issuer: t.config.jwt.issuer, audience: t.config.jwt.audience });
  const api = (token: string, path = '/api/v1/users/me') => t.http.get(path, { token });
  const passwordGrant = (config: client.Configuration, username: string, password: string, scope = 'openid profile roles offline_access') =>
    client.genericGrantRequest(config, 'password', { username, password, scope });

  describe('discovery and keys', () => {
    it('publishes every endpoint, grant, scope, claim and algorithm of §9', async () => {
      const config = await discover(t.url, svc);
      const meta = config.serverMetadata();
      expect(meta.issuer).toBe(issuer);
      expect(meta).toMatchObject({
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        introspection_endpoint: `${issuer}/introspect`,
        revocation_endpoint: `${issuer}/revoke`,
        userinfo_endpoint: `${issuer}/userinfo`,
        end_session_endpoint: `${issuer}/logout`,
        jwks_uri: `${issuer}/jwks`,
        code_challenge_methods_supported: ['S256'],
      });
      expect(meta.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'password']),
      );
      expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'phone', 'offline_access', 'roles']));
      expect(meta.claims_supported).toEqual(
        expect.arrayContaining([
          'preferred_username',
          'name',
          'picture',
          'email',
          'email_verified',
          'phone_number',
          'roles',
          'permissions',
        ]),
      );
      expect(meta.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
      expect(meta.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']));
    });

    it('serves the public key set, cacheable, with no private part', async () => {
      const res = await fetch(`${issuer}/jwks`);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      const body = (await res.json()) as { keys: Record<string, unknown>[] };
      expect(body.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
      for (const key of body.keys) {
        expect(key).toMatchObject({ use: 'sig', kid: expect.any(String) });
        for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(part);
      }
      const keys = await t.http.get('/api/v1/signing-keys', { token: adminToken });
      expect(keys.body.data.map((k: { status: string }) => k.status)).toEqual(['active', 'active']);
      expect(JSON.stringify(keys.body.data)).not.toMatch(/"d"\s*:/);
    });
  });

  describe('client_credentials: the client as its own service account', () => {
    it('issues an RFC 9068 JWT that jose verifies from the JWKS; /api/v1 accepts it with the roles of the client', async () => {
      const config = await discover(t.url, svc);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'roles' });
      expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({
        alg: 'ES256',
        typ: 'at+jwt',
        kid: t.app.get(KeyStore).signingKey('ES256').kid,
      });
      const { payload } = await verifyAsResourceServer(tokens.access_token);
      expect(payload).toMatchObject({ sub: svc.client_id, client_id: svc.client_id, iss: t.config.jwt.issuer, aud: t.config.jwt.audience });
      expect(payload.exp! - payload.iat!).toBe(t.config.jwt.accessTtl);
      // The service account reads the audit log (its role) and nothing else.
      expect((await api(tokens.access_token, '/api/v1/audit-logs')).status).toBe(200);
      const users = await api(tokens.access_token, '/api/v1/users');
      expect([users.status, users.body.error]).toEqual([403, 'FORBIDDEN']);
      // /users/me is for users only.
      const me = await api(tokens.access_token);
      expect([me.status, me.body.error]).toEqual([403, 'FORBIDDEN']);
    });

    it('without the role, the same route is 403', async () => {
      const tokens = await client.clientCredentialsGrant(await discover(t.url, svcPlain));
      const res = await api(tokens.access_token, '/api/v1/audit-logs');
      expect([res.status, res.body.error]).toEqual([403, 'FORBIDDEN']);
    });

    it('refuses a wrong secret (Basic: a challenge; post: invalid_client), a grant the client lacks, and a disabled client', async () => {
      const basic = await refusal(client.clientCredentialsGrant(await discover(t.url, { ...svc, client_secret: 'wrong-secret' })));
      expect(basic.err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
      expect(basic.error).toBe('invalid_client');
      const post = await refusal(client.clientCredentialsGrant(await discover(t.url, { ...svc, client_secret: 'wrong-secret' }, 'post')));
      expect(post.error).toBe('invalid_client');
      const notAllowed = await refusal(passwordGrant(await discover(t.url, svc), 'x', 'y'));
      expect(['unauthorized_client', 'invalid_request']).toContain(notAllowed.error);
      // svc may ask for every scope; a client registered for `roles` only may not ask for `email`.
      const narrow = await registerClient(t.http, adminToken, {
        name: 'narrow',
        type: 'confidential',
        grant_types: ['client_credentials'],
        scopes: ['roles'],
      });
      const scope = await refusal(client.clientCredentialsGrant(await discover(t.url, narrow), { scope: 'email' }));
      expect(scope.error).toBe('invalid_scope');

      const temp = await registerClient(t.http, adminToken, { name: 'temp', type: 'confidential', grant_types: ['client_credentials'] });
      const issued = await client.clientCredentialsGrant(await discover(t.url, temp));
      expect((await api(issued.access_token, '/api/v1/audit-logs')).body.error).toBe('FORBIDDEN');
      await t.http.patch(`/api/v1/clients/${temp.id}`, { status: 'disabled' }, { token: adminToken });
      expect((await refusal(client.clientCredentialsGrant(await discover(t.url, temp)))).error).toBe('invalid_client');
      // Its tokens stop at once too.
      expect((await api(issued.access_token, '/api/v1/audit-logs')).body.error).toBe('TOKEN_REVOKED');
    });

    it('introspects its token for an authenticated client, and revokes it', async () => {
      const config = await discover(t.url, svc);
      const tokens = await client.clientCredentialsGrant(config);
      const info = await client.tokenIntrospection(config, tokens.access_token);
      expect(info).toMatchObject({
        active: true,
        sub: svc.client_id,
        client_id: svc.client_id,
        token_type: 'Bearer',
        username: svc.client_id,
        aud: t.config.jwt.audience,
      });
      await client.tokenRevocation(config, tokens.access_token);
      expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
      expect((await api(tokens.access_token, '/api/v1/audit-logs')).body.error).toBe('TOKEN_REVOKED');
    });
  });

  describe('the password grant (seed 004)', () => {
    it('signs a user in with the rules of /auth/login and seed 004 fields; the token acts as the user at /api/v1', async () => {
      const u = await register(t.http);
      const config = await discover(t.url, pig);
      const tokens = await passwordGrant(config, u.username, u.password);
      expect(tokens).toMatchObject({
        token_type: 'bearer',
        user_id: u.id,
        username: u.username,
        client_id: pig.client_id,
        sub: u.id,
        jti: expect.any(String),
        iat: expect.any(Number),
        exp: expect.any(Number),
      });
      expect(tokens.refresh_token).toEqual(expect.any(String));
      const { payload } = await verifyAsResourceServer(tokens.access_token);
      expect(payload).toMatchObject({ sub: u.id, client_id: pig.client_id, scope: expect.stringContaining('roles') });
      const me = await api(tokens.access_token);
      expect(me.status).toBe(200);
      expect(me.body.data.username).toBe(u.username);
      const [audit] = await t.app
        .get(DataSource)
        .query("SELECT detail FROM audit_logs WHERE action = 'auth.login.success' AND actor_id = ? ORDER BY id DESC", [u.id]);
      expect(JSON.parse(audit.detail)).toMatchObject({ client_id: pig.client_id });
      const info = await client.tokenIntrospection(config, tokens.access_token);
      expect(info).toMatchObject({
        active: true,
        sub: u.id,
        username: u.username,
        roles: ['USER'],
        permissions: [],
        client_id: pig.client_id,
        iss: t.config.jwt.issuer,
      });
    });

    it("reads seed 004's query string: grant_type, username, scope, randomStr and code, with only the password in the body", async () => {
      const u = await register(t.http);
      const query = new URLSearchParams({
        grant_type: 'password',
        username: u.username,
        scope: 'openid profile',
        randomStr: 'unused',
        code: 'unused',
      });
      const res = await fetch(`${issuer}/token?${query}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${pig.client_id}:${pig.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ password: u.password }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ user_id: u.id, username: u.username, client_id: pig.client_id, sub: u.id, scope: 'openid profile' });
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('counts wrong passwords towards the one lockout: locked is locked at every door', async () => {
      const u = await register(t.http);
      const config = await discover(t.url, pig);
      for (let i = 0; i < 3; i++)
        expect((await refusal(passwordGrant(config, u.username, `wrong-${i}-password`))).error).toBe('invalid_grant');
      const locked = await refusal(passwordGrant(config, u.username, u.password));
      expect(locked.error).toBe('invalid_grant');
      expect((locked.err as client.ResponseBodyError).error_description).toMatch(/^ACCOUNT_LOCKED/);
      expect((await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).body.error).toBe('ACCOUNT_LOCKED');
    });

    it('needs a captcha after CAPTCHA_AFTER_FAILURES, answered as randomStr + code', async () => {
      const c = await startIssuer({ CAPTCHA_AFTER_FAILURES: '1', LOGIN_MAX_FAILURES: '10' });
      try {
        const token = (await loginAdmin(c.http)).access_token;
        const p = await registerClient(c.http, token, { name: 'pig', type: 'confidential', grant_types: ['password'] });
        const u = await register(c.http);
        const config = await discover(c.url, p);
        await refusal(passwordGrant(config, u.username, 'wrong-password-1', 'openid'));
        const needed = await refusal(passwordGrant(config, u.username, u.password, 'openid'));
        expect((needed.err as client.ResponseBodyError).error_description).toMatch(/^CAPTCHA_REQUIRED/);
        const captcha = (await c.http.get('/api/v1/auth/captcha')).body.data;
        const answer = await c.app
          .get<{ get(id: string): Promise<string | null> }>((await import('../../src/auth/captcha/captcha.store.js')).CAPTCHA_STORE)
          .get(captcha.captcha_id);
        const ok = await client.genericGrantRequest(config, 'password', {
          username: u.username,
          password: u.password,
          scope: 'openid',
          randomStr: captcha.captcha_id,
          code: answer!,
        });
        expect(ok.access_token).toEqual(expect.any(String));
      } finally {
        await c.close();
      }
    });

    it('refuses a disabled account only after a correct password', async () => {
      const u = await register(t.http);
      await t.http.patch(`/api/v1/users/${u.id}`, { status: 'disabled' }, { token: adminToken });
      const config = await discover(t.url, pig);
      expect(
        ((await refusal(passwordGrant(config, u.username, 'wrong-pass-word'))).err as client.ResponseBodyError).error_description,
      ).toMatch(/^INVALID_CREDENTIALS/);
      expect(((await refusal(passwordGrant(config, u.username, u.password))).err as client.ResponseBodyError).error_description).toMatch(
        /^ACCOUNT_DISABLED/,
      );
    });
  });

  describe('the second factor at the password grant (§11)', () => {
    const MFA_GRANT = 'urn:authcentre:params:oauth:grant-type:mfa-otp';

    async function enrolled() {
      const u = await registerAndLogin(t.http);
      const begun = await t.http.post('/api/v1/users/me/mfa/totp', { password: u.password }, { token: u.access_token });
      const device = new TotpDevice(begun.body.data.secret);
      const confirmed = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: await device.next() }, { token: u.access_token });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      return { ...u, device, recoveryCodes: confirmed.body.data.recovery_codes as string[] };
    }

    /** A 6-digit code that is no code of the secret within two steps of now. */
    function wrongCode(secret: string): string {
      const near = new Set([-2, -1, 0, 1, 2].map((d) => codeForStep(secret, stepAt(Date.now()) + d)));
      for (let n = 0; ; n++) if (!near.has(String(n).padStart(6, '0'))) return String(n).padStart(6, '0');
    }

    /** The 403 mfa_required answer of a password grant, as openid-client reports it. */
    async function mfaRequired(config: client.Configuration, username: string, password: string) {
      const { error, err } = await refusal(passwordGrant(config, username, password));
      expect(error).toBe('mfa_required');
      const e = err as client.ResponseBodyError;
      expect(e.status).toBe(403);
      expect(e.cause).toMatchObject({ mfa_methods: ['totp', 'recovery_code'], expires_in: 300 });
      expect(e.cause).not.toHaveProperty('access_token');
      return e.cause.mfa_token as string;
    }

    it('answers 403 mfa_required with an mfa_token; the mfa-otp grant completes it with a code or a recovery code', async () => {
      const u = await enrolled();
      const config = await discover(t.url, pig);
      const discovered = config.serverMetadata().grant_types_supported;
      expect(discovered).toContain(MFA_GRANT);

      const mfaToken = await mfaRequired(config, u.username, u.password);
      const tokens = await client.genericGrantRequest(config, MFA_GRANT, {
        mfa_token: mfaToken,
        otp: await u.device.next(),
        scope: 'openid profile offline_access',
      });
      expect(tokens).toMatchObject({
        token_type: 'bearer',
        user_id: u.id,
        client_id: pig.client_id,
        scope: 'openid profile offline_access',
      });
      expect(tokens.refresh_token).toEqual(expect.any(String));
      expect((await api(tokens.access_token)).body.data.username).toBe(u.username);
      // The refresh token records how the user signed in.
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).toEqual(expect.any(String));

      // The token is single use; a recovery code completes another sign-in.
      expect(
        (await refusal(client.genericGrantRequest(config, MFA_GRANT, { mfa_token: mfaToken, otp: u.device.last() }))).err,
      ).toMatchObject({
        error: 'invalid_grant',
        error_description: expect.stringMatching(/^INVALID_MFA_TOKEN/),
      });
      const again = await mfaRequired(config, u.username, u.password);
      const byRecovery = await client.genericGrantRequest(config, MFA_GRANT, { mfa_token: again, recovery_code: u.recoveryCodes[0] });
      expect(byRecovery.access_token).toEqual(expect.any(String));
      const success = await t.app
        .get(DataSource)
        .query("SELECT detail FROM audit_logs WHERE action = 'auth.mfa.success' AND actor_id = ? ORDER BY id", [u.id]);
      expect(success.map((r: { detail: string }) => JSON.parse(r.detail))).toEqual([
        { method: 'totp', client_id: pig.client_id },
        { method: 'recovery_code', recovery_codes_left: 9, client_id: pig.client_id },
      ]);
    });

    it('counts wrong codes towards the lock; refuses a token of another door, and bad requests', async () => {
      const u = await enrolled();
      const config = await discover(t.url, pig);
      const mfaToken = await mfaRequired(config, u.username, u.password);
      const wrong = await refusal(client.genericGrantRequest(config, MFA_GRANT, { mfa_token: mfaToken, otp: wrongCode(u.device.secret) }));
      expect(wrong.err).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/^INVALID_MFA_CODE/) });
      const neither = await refusal(client.genericGrantRequest(config, MFA_GRANT, { mfa_token: mfaToken }));
      expect(neither.error).toBe('invalid_request');
      const both = await refusal(client.genericGrantRequest(config, MFA_GRANT, { mfa_token: mfaToken, otp: '123456', recovery_code: 'x' }));
      expect(both.error).toBe('invalid_request');

      // A token from the API door is no good here.
      const fromApi = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
      expect(fromApi.body.data.mfa_required).toBe(true);
      const crossed = await refusal(
        client.genericGrantRequest(config, MFA_GRANT, { mfa_token: fromApi.body.data.mfa_token, otp: await u.device.next() }),
      );
      expect(crossed.err).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/^INVALID_MFA_TOKEN/) });
      // Nor is one of the password grant at the API door.
      const fromGrant = await mfaRequired(config, u.username, u.password);
      const atApi = await t.http.post('/api/v1/auth/login/mfa', { mfa_token: fromGrant, code: u.device.last() });
      expect([atApi.status, atApi.body.error]).toEqual([401, 'INVALID_MFA_TOKEN']);

      // Tokens of another door count as no attempt; wrong codes do: the third reaches LOGIN_MAX_FAILURES (3),
      // and the account is locked at every door.
      const last = await mfaRequired(config, u.username, u.password);
      for (let i = 0; i < 2; i++)
        await refusal(client.genericGrantRequest(config, MFA_GRANT, { mfa_token: last, otp: wrongCode(u.device.secret) }));
      const locked = await refusal(passwordGrant(config, u.username, u.password));
      expect((locked.err as client.ResponseBodyError).error_description).toMatch(/^ACCOUNT_LOCKED/);
    });

    it('refuses a user who must enrol first (MFA_REQUIRED_ROLES): the grant has no screen to enrol on', async () => {
      const role = await t.http.post('/api/v1/roles', { code: 'OAUTH_MFA_REQUIRED', name: 'Needs a second factor' }, { token: adminToken });
      expect(role.status).toBe(201);
      const u = await register(t.http);
      await t.http.put(`/api/v1/users/${u.id}/roles`, { role_ids: [role.body.data.id] }, { token: adminToken });
      const config = await discover(t.url, pig);
      const refused = await refusal(passwordGrant(config, u.username, u.password));
      expect(refused.err).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/^MFA_ENROLMENT_REQUIRED/) });
    });
  });

  describe('refresh tokens and revocation', () => {
    it('rotate; a spent refresh token presented again revokes the whole grant, its access tokens too', async () => {
      const u = await register(t.http);
      const config = await discover(t.url, pig);
      const first = await passwordGrant(config, u.username, u.password);
      const second = await client.refreshTokenGrant(config, first.refresh_token!);
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect((await api(second.access_token)).status).toBe(200);
      // The first refresh token again: theft.
      expect((await refusal(client.refreshTokenGrant(config, first.refresh_token!))).error).toBe('invalid_grant');
      expect((await refusal(client.refreshTokenGrant(config, second.refresh_token!))).error).toBe('invalid_grant');
      expect((await api(second.access_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await client.tokenIntrospection(config, second.access_token)).active).toBe(false);
    });

    it('POST /oauth2/revoke ends the grant: its refresh token and its access tokens, at once', async () => {
      const u = await register(t.http);
      const config = await discover(t.url, pig);
      const tokens = await passwordGrant(config, u.username, u.password);
      expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(true);
      await client.tokenRevocation(config, tokens.refresh_token!);
      expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
      expect((await refusal(client.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');
      expect((await api(tokens.access_token)).body.error).toBe('TOKEN_REVOKED');
      // Revoking a JWT access token ends its grant as well.
      const again = await passwordGrant(config, u.username, u.password);
      await client.tokenRevocation(config, again.access_token);
      expect((await api(again.access_token)).body.error).toBe('TOKEN_REVOKED');
      expect((await refusal(client.refreshTokenGrant(config, again.refresh_token!))).error).toBe('invalid_grant');
    });

    it('the revocations of §9 reach OAuth grants: logout everywhere, password change, disabling, an admin revoking sessions', async () => {
      const config = await discover(t.url, pig);
      const cases: [string, (u: Awaited<ReturnType<typeof register>>, apiToken: string) => Promise<unknown>][] = [
        ['logout all', (_u, token) => t.http.post('/api/v1/auth/logout', { all_sessions: true }, { token })],
        [
          'password change',
          (u, token) =>
            t.http.put('/api/v1/users/me/password', { old_password: u.password, new_password: 'A-brand-new-passphrase-7' }, { token }),
        ],
        ['disable', (u) => t.http.patch(`/api/v1/users/${u.id}`, { status: 'disabled' }, { token: adminToken })],
        ['admin revoke', (u) => t.http.delete(`/api/v1/users/${u.id}/sessions`, { token: adminToken })],
      ];
      for (const [name, revoke] of cases) {
        const u = await register(t.http);
        const oauth = await passwordGrant(config, u.username, u.password);
        const session = (await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).body.data;
        expect((await api(oauth.access_token)).status, name).toBe(200);
        await revoke(u, session.access_token);
        expect((await api(oauth.access_token)).body.error, name).toBe('TOKEN_REVOKED');
        expect((await client.tokenIntrospection(config, oauth.access_token)).active, name).toBe(false);
        expect((await refusal(client.refreshTokenGrant(config, oauth.refresh_token!))).error, name).toBe('invalid_grant');
      }
    });
  });

  describe('signing keys: rotation never fails a live token', () => {
    it('a new key is published first; activated, it signs; tokens signed before still verify; retired keys leave after their tokens', async () => {
      const config = await discover(t.url, pig);
      const u = await register(t.http);
      const before = await passwordGrant(config, u.username, u.password);
      const session = (await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).body.data;
      const oldKid = decodeProtectedHeader(before.access_token).kid;

      const created = await t.http.post('/api/v1/signing-keys', { alg: 'ES256' }, { token: adminToken });
      expect(created.status).toBe(201);
      const kid = created.body.data.kid;
      expect(created.body.data).toMatchObject({ alg: 'ES256', status: 'next', activated_at: null, public_jwk: { kty: 'EC', kid } });
      expect(created.body.data.public_jwk).not.toHaveProperty('d');
      const published = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] };
      expect(published.keys.map((k) => k.kid)).toContain(kid);
      // Not signing yet.
      expect(decodeProtectedHeader((await passwordGrant(config, u.username, u.password)).access_token).kid).toBe(oldKid);

      // Under load: requests keep succeeding while the key changes.
      const load = Promise.all(Array.from({ length: 40 }, () => api(before.access_token)));
      const activated = await t.http.post(`/api/v1/signing-keys/${kid}/activate`, undefined, { token: adminToken });
      expect(activated.body.data).toMatchObject({ kid, status: 'active' });
      expect((await load).every((r) => r.status === 200)).toBe(true);

      const after = await passwordGrant(config, u.username, u.password);
      expect(decodeProtectedHeader(after.access_token).kid).toBe(kid);
      const fresh = (await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password })).body.data;
      expect(decodeProtectedHeader(fresh.access_token).kid).toBe(kid);
      // Both generations verify, at the resource server and at /api/v1.
      for (const token of [before.access_token, after.access_token, session.access_token, fresh.access_token]) {
        await verifyAsResourceServer(token);
        expect((await api(token)).status).toBe(200);
      }
      const keys = (await t.http.get('/api/v1/signing-keys', { token: adminToken })).body.data;
      const old = keys.find((k: { kid: string }) => k.kid === oldKid);
      expect(old).toMatchObject({ status: 'retired', retired_at: expect.any(String) });
      // Retired but maybe still signing live tokens: not deletable yet.
      expect((await t.http.delete(`/api/v1/signing-keys/${oldKid}`, { token: adminToken })).body.error).toBe('PROTECTED_RESOURCE');
      expect((await t.http.delete(`/api/v1/signing-keys/${kid}`, { token: adminToken })).body.error).toBe('PROTECTED_RESOURCE');

      // Time passes beyond the last token it signed: the retired key leaves the JWKS and can go.
      const past = new Date(Date.now() - (t.app.get(KeyStore).retentionSeconds + 60) * 1000);
      await t.app.get(DataSource).getRepository(SigningKey).update({ kid: oldKid }, { retiredAt: past });
      await t.app.get(KeyStore).reload();
      const now = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] };
      expect(now.keys.map((k) => k.kid)).not.toContain(oldKid);
      expect((await t.http.delete(`/api/v1/signing-keys/${oldKid}`, { token: adminToken })).status).toBe(200);
      const audit = await t.app.get(DataSource).query("SELECT action FROM audit_logs WHERE action LIKE 'key.%' ORDER BY id");
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['key.create', 'key.activate', 'key.delete']);
    });

    it('refuses an algorithm-confusion attack: an HS256 token keyed with the public key', async () => {
      const u = await register(t.http);
      const tokens = await passwordGrant(await discover(t.url, pig), u.username, u.password);
      const claims = decodeJwt(tokens.access_token);
      const kid = decodeProtectedHeader(tokens.access_token).kid;
      const forged = jwt.sign(claims, publicKeyPem(t), { algorithm: 'HS256', keyid: kid, noTimestamp: true });
      expect((await api(forged)).body.error).toBe('INVALID_TOKEN');
      await expect(verifyAsResourceServer(forged)).rejects.toThrow();
      expect((await client.tokenIntrospection(await discover(t.url, pig), forged)).active).toBe(false);
    });

    it('keeps key management to SUPER_ADMIN by default; ADMIN may manage clients', async () => {
      const admin = await t.http.post(
        '/api/v1/users',
        {
          username: uniqueName('adm'),
          password: 'Another-long-passphrase-1',
          role_ids: [await idOf(t.http, adminToken, 'roles', 'ADMIN')],
        },
        { token: adminToken },
      );
      const token = (await t.http.post('/api/v1/auth/login', { username: admin.body.data.username, password: 'Another-long-passphrase-1' }))
        .body.data.access_token;
      expect((await t.http.get('/api/v1/signing-keys', { token })).body.error).toBe('FORBIDDEN');
      expect((await t.http.get('/api/v1/clients', { token })).status).toBe(200);
      expect(ADMIN.username).toBe('admin');
    });
  });
});
