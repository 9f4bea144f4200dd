import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestDatabase, type TestDatabase } from '../support/app.js';
import { CLUSTER_URL, startInstance, type Instance } from '../support/cluster.js';
import { authorizationRequest, PageDriver } from '../support/hosted-pages.js';
import type { RegisteredClient } from '../support/oauth.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { login, PASSWORD, uniqueName } from '../support/users.js';

/**
 * Two instances of the authorization server behind one issuer (CLUSTER_URL), on one MariaDB
 * and one Redis: what one issues the other refreshes and introspects, and a key rotated on
 * one signs on the other within 5 s (docs/api.md §8).
 */
describe('the authorization server on two instances', () => {
  let db: TestDatabase;
  let redis: RedisHandle;
  let a: Instance;
  let b: Instance;
  let adminToken: string;
  let pig: RegisteredClient;

  /** openid-client, speaking to the cluster's issuer but through one instance (as a balancer would route it). */
  const via = (instance: Instance): typeof fetch =>
    ((url: string, init: RequestInit) => fetch(url.replace(CLUSTER_URL, instance.url), init)) as never;
  const configOn = async (instance: Instance, c: RegisteredClient) => {
    const config = await client.discovery(
      new URL(`${CLUSTER_URL}/oauth2`),
      c.client_id,
      undefined,
      client.ClientSecretBasic(c.client_secret!),
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: via(instance),
      },
    );
    config[client.customFetch] = via(instance);
    return config;
  };

  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, RATE_LIMIT_AUTH_PER_MINUTE: '0' };
    [a, b] = await Promise.all([startInstance('A', db, env), startInstance('B', db, env)]);
    adminToken = (await login(a.http, ADMIN.username, ADMIN.password)).access_token;
    const res = await a.http.post(
      '/api/v1/clients',
      { name: 'pig', type: 'confidential', grant_types: ['password', 'refresh_token'] },
      { token: adminToken },
    );
    expect(res.status).toBe(201);
    pig = res.body.data;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.destroy();
    await db?.drop();
  });

  async function newUser(): Promise<string> {
    const username = uniqueName('oc');
    expect((await a.http.post('/api/v1/auth/register', { username, password: PASSWORD })).status).toBe(201);
    return username;
  }

  it('a token issued on A is refreshed and introspected on B, and revoked on B for A', async () => {
    const username = await newUser();
    const onA = await configOn(a, pig);
    const onB = await configOn(b, pig);
    const first = await client.genericGrantRequest(onA, 'password', { username, password: PASSWORD, scope: 'openid roles offline_access' });
    expect((await b.http.get('/api/v1/users/me', { token: first.access_token })).status).toBe(200);
    const second = await client.refreshTokenGrant(onB, first.refresh_token!);
    expect(await client.tokenIntrospection(onB, second.access_token)).toMatchObject({ active: true, username, roles: ['USER'] });
    expect((await client.tokenIntrospection(onA, second.refresh_token!)).active).toBe(true);
    await client.tokenRevocation(onB, second.refresh_token!);
    expect((await a.http.get('/api/v1/users/me', { token: second.access_token })).body.error).toBe('TOKEN_REVOKED');
    expect((await client.tokenIntrospection(onA, second.access_token)).active).toBe(false);
  });

  it('a sign-in on the hosted pages started on A finishes on B; the SSO session it makes holds on either', async () => {
    const username = await newUser();
    const cb = 'http://127.0.0.1:9/cb';
    const register = async (body: Record<string, unknown>) => {
      const res = await a.http.post(
        '/api/v1/clients',
        { grant_types: ['authorization_code'], redirect_uris: [cb], ...body },
        { token: adminToken },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.data as RegisteredClient;
    };
    const web = await register({ name: 'web', type: 'confidential', scopes: ['openid', 'profile'] });
    const spa = await register({ name: 'spa', type: 'public', first_party: true, scopes: ['openid', 'profile'] });
    const spaOn = async (instance: Instance) => {
      const config = await client.discovery(new URL(`${CLUSTER_URL}/oauth2`), spa.client_id, undefined, client.None(), {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: via(instance),
      });
      config[client.customFetch] = via(instance);
      return config;
    };
    // One browser; the balancer sends each of its requests to the instance named here.
    let target = a;
    const browser = new PageDriver(CLUSTER_URL, { via: () => target.url, aliases: [a.url, b.url] });

    const webOnA = await configOn(a, web);
    const req = await authorizationRequest(webOnA, cb);
    const signInPage = await browser.go(req.url.href);
    expect(signInPage.status).toBe(200);
    expect(signInPage.headers.get('x-request-id')).toBeTruthy();
    // The password goes to B: the interaction (Redis), its cookie and the CSRF token (keys from ENCRYPTION_KEY) hold there.
    target = b;
    const consentPage = await browser.submit(signInPage, 'login', { username, password: PASSWORD });
    expect(consentPage.status, consentPage.html.slice(0, 300)).toBe(200);
    expect(consentPage.html).toContain('name="csrf"');
    expect(consentPage.html).toContain('/consent"');
    // Consent on A again.
    target = a;
    const back = await browser.submit(consentPage, 'consent');
    expect(back.leftTo?.searchParams.get('code'), back.html.replace(/[\s\S]*<h1>/, '').slice(0, 400)).toBeTruthy();
    // The code is exchanged on B.
    const tokens = await client.authorizationCodeGrant(await configOn(b, web), back.leftTo!, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    });
    expect(tokens.claims()!.preferred_username).toBe(username);
    expect((await a.http.get('/api/v1/users/me', { token: tokens.access_token })).body.data.username).toBe(username);

    // SSO: the session made on A, B, A is recognised by B for the second client, with no page at all.
    target = b;
    const spaOnB = await spaOn(b);
    const silent = await authorizationRequest(spaOnB, cb, { prompt: 'none' });
    const sso = await browser.go(silent.url.href);
    expect(sso.leftTo?.searchParams.get('code'), sso.html.slice(0, 300)).toBeTruthy();
    const spaTokens = await client.authorizationCodeGrant(spaOnB, sso.leftTo!, {
      pkceCodeVerifier: silent.verifier,
      expectedState: silent.state,
      expectedNonce: silent.nonce,
    });
    expect(spaTokens.claims()!.sub).toBe(tokens.claims()!.sub);
  });

  it('a key rotated on A signs on B within 5 s, and B verifies what A signs', async () => {
    const username = await newUser();
    const onB = await configOn(b, pig);
    const created = await a.http.post('/api/v1/signing-keys', { alg: 'ES256' }, { token: adminToken });
    const kid = created.body.data.kid;
    expect((await a.http.post(`/api/v1/signing-keys/${kid}/activate`, undefined, { token: adminToken })).status).toBe(200);
    const started = Date.now();
    let seen = '';
    while (Date.now() - started < 5000) {
      const tokens = await client.genericGrantRequest(onB, 'password', { username, password: PASSWORD, scope: 'openid' });
      seen = decodeProtectedHeader(tokens.access_token).kid ?? '';
      if (seen === kid) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(seen).toBe(kid);
    const onA = (await login(a.http, username, PASSWORD)).access_token;
    expect(decodeProtectedHeader(onA).kid).toBe(kid);
    expect((await b.http.get('/api/v1/users/me', { token: onA })).status).toBe(200);
  });
});
