import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAdmin } from '../support/admin.js';
import { ADMIN, DB, startIssuer, type TestApp } from '../support/app.js';
import { basicAuth, parseHttpFile, substitute, type Captured, type HttpFile } from '../support/http-file.js';

/**
 * docs/requests.http cannot rot: every request in it is sent, in order, to a fresh service (its
 * own URL as @base, the test administrator's password as @adminPassword), with the values earlier
 * answers captured, and must answer the status its `# expect:` comment says.
 */
describe(`docs/requests.http replayed [${DB}]`, () => {
  let t: TestApp;
  let file: HttpFile;

  beforeAll(async () => {
    [t, file] = await Promise.all([startIssuer(), readFile('docs/requests.http', 'utf8').then(parseHttpFile)]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names an expected status for every request, and covers the main flows', () => {
    expect(file.requests.filter((r) => r.expect === undefined).map((r) => `line ${r.line}: ${r.title}`)).toEqual([]);
    const sent = file.requests.map(
      (r) => `${r.method} ${r.url.replace(/\?.*$/, '')}${r.body.startsWith('grant_type=') ? ` ${r.body.split('&')[0]}` : ''}`,
    );
    expect(sent).toEqual(
      expect.arrayContaining([
        'POST {{api}}/auth/register',
        'POST {{api}}/auth/login',
        'GET {{api}}/users/me',
        'POST {{api}}/auth/refresh',
        'POST {{api}}/auth/logout',
        'GET {{api}}/users',
        'GET {{api}}/roles',
        'POST {{api}}/clients',
        'POST {{base}}/oauth2/token grant_type=client_credentials',
        'POST {{base}}/oauth2/token grant_type=password',
        'POST {{base}}/oauth2/introspect',
        'GET {{base}}/oauth2/authorize',
      ]),
    );
    // Names are unique, so a capture means one answer.
    const names = file.requests.flatMap((r) => (r.name ? [r.name] : []));
    expect(new Set(names).size).toBe(names.length);
  });

  it('answers every request with its expected status, in order', async () => {
    const variables = { ...file.variables, base: t.url, adminUsername: ADMIN.username, adminPassword: ADMIN.password };
    const captured: Record<string, Captured> = {};
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const request of file.requests) {
      const label = `line ${request.line} ${request.method} ${request.url}`;
      const url = substitute(request.url, variables, captured);
      const headers = new Headers();
      for (const [name, value] of request.headers) {
        const filled = substitute(value, variables, captured);
        headers.set(name, name.toLowerCase() === 'authorization' ? basicAuth(filled) : filled);
      }
      const body = request.body ? substitute(request.body, variables, captured) : undefined;
      // As an HTTP client shows it: a redirect is an answer, not followed.
      const res = await fetch(url, { method: request.method, headers, body, redirect: 'manual' });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      if (request.name) captured[request.name] = { status: res.status, headers: res.headers, body: parsed };
      outcomes.push(`${label} → ${res.status}${res.status === request.expect ? '' : ` ${text.slice(0, 300)}`}`);
      expected.push(`${label} → ${request.expect}`);
    }
    expect(outcomes).toEqual(expected);
    // And the captures carried what they should have: the OAuth clients and tokens came through.
    expect((captured.backend?.body as any)?.data?.client_secret).toEqual(expect.any(String));
    expect((captured.passwordToken?.body as any)?.access_token).toEqual(expect.any(String));
  });

  it('sends the authorization request to the hosted sign-in page', async () => {
    // The code-flow URL of the file, with the client the replay registered, leads to the interaction page.
    const variables = { ...file.variables, base: t.url, adminUsername: ADMIN.username, adminPassword: ADMIN.password };
    const authorize = file.requests.find((r) => r.url.includes('/oauth2/authorize'))!;
    const admin = await loginAdmin(t.http);
    const spa = file.requests.find((r) => r.name === 'spa')!;
    const created = await t.http.post('/api/v1/clients', JSON.parse(substitute(spa.body, variables, {})), { token: admin.access_token });
    expect(created.status).toBe(spa.expect);
    const url = substitute(authorize.url, variables, { spa: { status: created.status, headers: created.headers, body: created.body } });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(authorize.expect);
    expect(res.headers.get('location')).toMatch(/\/oauth2\/interaction\/[\w-]+$/);
  });
});
