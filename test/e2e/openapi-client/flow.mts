/**
 * A client program as a consumer of the API writes it: types generated from openapi.json
 * by openapi-typescript, requests made with openapi-fetch. openapi-client.e2e-spec.ts
 * copies it into a temp folder next to the generated `api.mts`, type-checks both with
 * tsc (strict), runs the output with node against the running app, and checks what it
 * prints. `.mts` keeps it out of the repository's own tsconfig (`test/**\/*.ts`), where
 * `./api.mjs` does not exist.
 *
 * Usage: node flow.mjs <baseUrl>
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api.mjs';

type ErrorKey = components['schemas']['ErrorEnvelopeDto']['error'];

/** One exchange as the wire saw it; the spec checks each body against the document. */
export interface Step {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

const baseUrl = process.argv[2];
if (!baseUrl) throw new Error('usage: node flow.mjs <baseUrl>');

const steps: Step[] = [];
let accessToken: string | undefined;

/** Sends the current access token, the way an app's client would, and keeps a transcript. */
const session: Middleware = {
  onRequest({ request }) {
    if (accessToken && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${accessToken}`);
    return request;
  },
  async onResponse({ request, response, schemaPath }) {
    steps.push({ method: request.method, path: schemaPath, status: response.status, body: await response.clone().json() });
    return response;
  },
};

const client = createClient<paths>({ baseUrl });
client.use(session);

function fail(step: string, error: unknown): never {
  throw new Error(`${step} failed: ${JSON.stringify(error)}`);
}

const suffix = Math.random().toString(36).slice(2, 10);
const username = `client_${suffix}`;
const password = `Gen3rated-client-${suffix}`;
const newPassword = `Ch4nged-client-${suffix}`;

// register → login → me → refresh → change password → logout.
const registered = await client.POST('/api/v1/auth/register', { body: { username, password, email: `${username}@example.com` } });
if (!registered.data) fail('register', registered.error);
const user: components['schemas']['UserDto'] = registered.data.data;

const wrong = await client.POST('/api/v1/auth/login', { body: { username, password: `${password}-nope` } });
// The error is typed too: its `error` is one of the keys the route documents.
const wrongKey: ErrorKey | undefined = wrong.error?.error;

const loginAnswer = await client.POST('/api/v1/auth/login', { body: { username, password } });
if (!loginAnswer.data) fail('login', loginAnswer.error);
// The answer is a union told apart by `mfa_required`: tokens, or a second-factor challenge.
const login = loginAnswer.data.data;
if (login.mfa_required) fail('login', 'a second factor was asked for');
accessToken = login.access_token;
// Null only in cookie mode (X-Token-Delivery: cookie), which this client does not ask for.
const firstRefreshToken: string | null = login.refresh_token;
if (!firstRefreshToken) fail('login', 'no refresh token in the body');

const me = await client.GET('/api/v1/users/me');
if (!me.data) fail('me', me.error);
const permissions: string[] = me.data.data.permissions;

// The refresh token is the bearer here (the middleware leaves a given Authorization alone).
const refreshed = await client.POST('/api/v1/auth/refresh', { headers: { authorization: `Bearer ${firstRefreshToken}` } });
if (!refreshed.data) fail('refresh', refreshed.error);
accessToken = refreshed.data.data.access_token;

const changed = await client.PUT('/api/v1/users/me/password', { body: { old_password: password, new_password: newPassword } });
if (!changed.data) fail('change password', changed.error);
// `data` of a route without a result is typed `Record<string, never> | null` and is always null.
const changedData = changed.data.data;

const loggedOut = await client.POST('/api/v1/auth/logout', { body: {} });
if (!loggedOut.data) fail('logout', loggedOut.error);

const afterLogout = await client.GET('/api/v1/users/me');
const afterLogoutKey: ErrorKey | undefined = afterLogout.error?.error;

const reLogin = await client.POST('/api/v1/auth/login', { body: { username, password: newPassword } });
if (!reLogin.data) fail('login with the new password', reLogin.error);
const reLoggedIn = reLogin.data.data;
if (reLoggedIn.mfa_required) fail('login with the new password', 'a second factor was asked for');

process.stdout.write(
  JSON.stringify({
    username,
    userId: user.id,
    meUsername: me.data.data.username,
    meId: me.data.data.id,
    permissions,
    tokensRotated: refreshed.data.data.refresh_token !== firstRefreshToken && refreshed.data.data.access_token !== login.access_token,
    changedData,
    wrongKey,
    afterLogoutKey,
    reLoginUser: reLoggedIn.user.username,
    steps,
  }),
);

/**
 * Never called: tsc must reject each marked line. If the generated types were loose
 * (`any`, unknown paths, optional bodies), an expectation would go unused and tsc fails.
 */
export async function typesAreStrict(): Promise<void> {
  // @ts-expect-error no such route
  await client.GET('/api/v1/nowhere');
  // @ts-expect-error login needs a password
  await client.POST('/api/v1/auth/login', { body: { username: 'alice' } });
  const got = await client.GET('/api/v1/users/me');
  // @ts-expect-error a user has no password_hash
  void got.data?.data.password_hash;
  // @ts-expect-error me can only fail with the documented keys
  const key: 'INVALID_CREDENTIALS' | undefined = got.error?.error;
  void key;
}
