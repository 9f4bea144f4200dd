import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DB, startApp, type TestApp } from '../support/app.js';
import { loginAdmin } from '../support/admin.js';
import { problemsOf, type Answer } from '../support/fuzz/contract.js';
import { rawRequest, type RawRequest } from '../support/fuzz/raw-http.js';
import { claimsOf, signEs256, signHs256 } from '../support/fuzz/tokens.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { PASSWORD, registerAndLogin, uniqueName, type Registered, type Tokens } from '../support/users.js';

/**
 * Issue #12, one regression test per failure: what a hostile client sent that broke
 * the service (a 500, an answer without X-Request-Id or outside the envelope, a body
 * accepted that should not be). Each answer is also judged by the fuzz test's rules.
 */
describe(`bad input [${DB}]`, () => {
  let t: TestApp;
  let admin: Tokens;
  let user: Registered & Tokens;

  beforeAll(async () => {
    t = await startApp();
    admin = await loginAdmin(t.http);
    user = await registerAndLogin(t.http);
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (req: RawRequest) => rawRequest(t.url, req);
  const json = (method: string, target: string, body: string, token?: string) =>
    send({
      method,
      target,
      body,
      headers: [['Content-Type', 'application/json'], ...(token ? ([['Authorization', `Bearer ${token}`]] as [string, string][]) : [])],
    });
  /** The fuzz test's verdict on one answer: [] when it keeps every rule. */
  const judge = (method: string, target: string, answer: Answer, checkPath = true) =>
    problemsOf({ method, target, answer }, { secrets: [t.config.jwt.refreshSecret!, ADMIN.password], slowMs: 5000, checkPath });
  const verdict = async (method: string, target: string, answer: Answer, status: number, error: string) => {
    expect(judge(method, target, answer), `${method} ${target.slice(0, 80)}`).toEqual([]);
    expect([answer.status, answer.body?.error], `${method} ${target.slice(0, 80)}: ${answer.text.slice(0, 300)}`).toEqual([status, error]);
  };

  describe('JSON nested 2,000 levels deep (was 500: call stack exceeded in class-transformer)', () => {
    const deepArray = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);
    const deepObject = (n: number, inner = '1') => '{"a":'.repeat(n) + inner + '}'.repeat(n);

    it('register, login, logout and the other body routes answer 400 VALIDATION_FAILED before validation', async () => {
      const routes: [string, string, string?][] = [
        ['POST', '/api/v1/auth/register'],
        ['POST', '/api/v1/auth/login'],
        ['POST', '/api/v1/auth/logout', user.access_token],
        ['POST', '/api/v1/auth/refresh', user.refresh_token],
        ['PATCH', '/api/v1/users/me', user.access_token],
        ['POST', '/api/v1/users', admin.access_token],
        ['POST', '/api/v1/roles', admin.access_token],
      ];
      const bodies = [
        deepArray(2000),
        `{"username":${deepArray(2000)},"password":"x"}`,
        `{"username":"someone","password":"x","all_sessions":${deepArray(2000)}}`,
        deepObject(2000),
      ];
      for (const [method, path, token] of routes) {
        for (const body of bodies) {
          const answer = await json(method, path, body, token);
          await verdict(method, path, answer, 400, 'VALIDATION_FAILED');
          expect(answer.body.details, path).toEqual([
            {
              field: expect.any(String),
              code: 'too_deep',
              message: expect.stringMatching(/ must not be nested deeper than 32 levels$/),
              params: { max: 32 },
            },
          ]);
        }
      }
    });

    it('32 levels pass the depth rule (the DTO judges them), 33 do not', async () => {
      const at32 = await json('POST', '/api/v1/auth/login', `{"username":${deepArray(31, '"x"')},"password":"x"}`);
      await verdict('POST', '/api/v1/auth/login', at32, 400, 'VALIDATION_FAILED');
      expect(at32.body.details.map((d: { field: string; code: string }) => [d.field, d.code])).toEqual([['username', 'invalid_type']]);
      const at33 = await json('POST', '/api/v1/auth/login', `{"username":${deepArray(32, '"x"')},"password":"x"}`);
      await verdict('POST', '/api/v1/auth/login', at33, 400, 'VALIDATION_FAILED');
      expect(at33.body.details).toEqual([
        { field: 'username', code: 'too_deep', message: 'username must not be nested deeper than 32 levels', params: { max: 32 } },
      ]);
    });
  });

  describe('ill-formed strings (was 500: URIError inside the email validator)', () => {
    it('a lone surrogate in an email answers 400 VALIDATION_FAILED naming the field', async () => {
      const cases: [string, string, string, string?][] = [
        ['POST', '/api/v1/auth/register', `{"username":"${uniqueName()}","password":"${PASSWORD}","email":"\\ud800"}`],
        ['POST', '/api/v1/auth/register', `{"username":"${uniqueName()}","password":"${PASSWORD}","email":"a\\udfff@example.com"}`],
        ['POST', '/api/v1/auth/password/forgot', '{"email":"\\ud800"}'],
        ['PATCH', '/api/v1/users/me', '{"email":"x\\ud83d@example.com"}', user.access_token],
        ['POST', '/api/v1/users', `{"username":"${uniqueName()}","password":"${PASSWORD}","email":"\\udc00"}`, admin.access_token],
      ];
      for (const [method, path, body, token] of cases) {
        const answer = await json(method, path, body, token);
        await verdict(method, path, answer, 400, 'VALIDATION_FAILED');
        expect(answer.body.details, body).toEqual([
          { field: 'email', code: 'ill_formed', message: 'email must be well-formed Unicode text' },
        ]);
      }
    });

    it('lone surrogates anywhere — other fields, nested values, keys — are refused the same way', async () => {
      const cases: [string, string, string?][] = [
        ['/api/v1/auth/login', '{"username":"\\ud800","password":"x"}'],
        ['/api/v1/auth/login', '{"username":"admin","password":"\\udbff\\udbff"}'],
        ['/api/v1/auth/register', `{"username":"${uniqueName()}","password":"${PASSWORD}","nickname":"ok\\ud800ok"}`],
        ['/api/v1/auth/register', '{"\\ud800":"x"}'],
        ['/api/v1/roles', '{"code":"R_X","name":["\\ud800"]}', admin.access_token],
        ['/api/v1/auth/password/reset', `{"token":"\\udfff","new_password":"${PASSWORD}"}`],
      ];
      for (const [path, body, token] of cases) {
        const answer = await json('POST', path, body, token);
        await verdict('POST', path, answer, 400, 'VALIDATION_FAILED');
        expect(answer.body.details[0].message, body).toMatch(/must be well-formed Unicode text$/);
      }
    });

    it('odd but well-formed strings never break a validator: NUL, RTL marks, BOM, overlong UTF-8, combining marks, emoji', async () => {
      const odd = [
        'a\u0000b',
        '\u202eadmin',
        '\u200f\u200e',
        '\ufeffx',
        'e\u0301\u0301\u0301',
        '😀@example.com',
        'a@\u202eexample.com',
        'x\u0000@example.com',
        '\u2028\u2029',
        '%00',
        '\\u0000',
      ];
      // Overlong and invalid UTF-8 bytes: decoded to U+FFFD by the body reader, never a lone surrogate.
      const invalidUtf8 = [
        Buffer.from([0xc0, 0xaf]),
        Buffer.from([0xe0, 0x80, 0xaf]),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
        Buffer.from([0xff]),
      ];
      const routes: [string, string, (s: string) => Record<string, unknown>, string?][] = [
        ['POST', '/api/v1/auth/register', (s) => ({ username: uniqueName(), password: PASSWORD, email: s, nickname: s, phone: s })],
        ['POST', '/api/v1/auth/login', (s) => ({ username: s, password: s })],
        ['POST', '/api/v1/auth/password/forgot', (s) => ({ email: s })],
        ['PATCH', '/api/v1/users/me', (s) => ({ avatar: `https://${s}.example.com/a.png` }), user.access_token],
        ['PATCH', '/api/v1/users/me', (s) => ({ email: s, current_password: PASSWORD }), user.access_token],
        ['POST', '/api/v1/roles', (s) => ({ code: s, name: s, description: s }), admin.access_token],
      ];
      for (const [method, path, make, token] of routes) {
        for (const s of odd) {
          const answer = await json(method, path, JSON.stringify(make(s)), token);
          expect(judge(method, path, answer), `${path} ${JSON.stringify(s)}: ${answer.text.slice(0, 200)}`).toEqual([]);
          expect(answer.status, `${path} ${JSON.stringify(s)}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
        }
        for (const bytes of invalidUtf8) {
          const parts = JSON.stringify(make('XYZZY')).split('XYZZY');
          const body = Buffer.concat(parts.flatMap((part, i) => (i ? [bytes, Buffer.from(part)] : [Buffer.from(part)])));
          const answer = await send({
            method,
            target: path,
            body,
            headers: [
              ['Content-Type', 'application/json'],
              ...(token ? ([['Authorization', `Bearer ${token}`]] as [string, string][]) : []),
            ],
          });
          expect(judge(method, path, answer), `${path} ${bytes.toString('hex')}: ${answer.text.slice(0, 200)}`).toEqual([]);
        }
      }
    });
  });

  describe('keys named like Object.prototype members (register answered 201)', () => {
    const PROTO_KEYS = [
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'isPrototypeOf',
      'propertyIsEnumerable',
      'toLocaleString',
      '__defineGetter__',
      '__lookupSetter__',
    ];

    it('register refuses them like any unknown key, and creates nobody', async () => {
      for (const key of PROTO_KEYS) {
        const username = uniqueName();
        for (const value of ['1', '{}', 'null', '"x"', '[]', '{"a":1}']) {
          const answer = await json(
            'POST',
            '/api/v1/auth/register',
            `{"username":"${username}","password":"${PASSWORD}","${key}":${value}}`,
          );
          await verdict('POST', '/api/v1/auth/register', answer, 400, 'VALIDATION_FAILED');
          expect(answer.body.details, key).toEqual([{ field: key, code: 'not_allowed', message: `${key} is not allowed here` }]);
        }
        const login = await t.http.post('/api/v1/auth/login', { username, password: PASSWORD });
        expect([login.status, login.body.error], key).toEqual([401, 'INVALID_CREDENTIALS']);
      }
    });

    it('every body DTO and every query DTO refuses them', async () => {
      const bodies: [string, string, string, string?][] = [
        ['POST', '/api/v1/auth/login', `{"username":"x","password":"y","constructor":1}`],
        ['POST', '/api/v1/auth/logout', `{"toString":1}`, user.access_token],
        ['PATCH', '/api/v1/users/me', `{"nickname":"n","hasOwnProperty":1}`, user.access_token],
        ['POST', '/api/v1/users', `{"username":"${uniqueName()}","password":"${PASSWORD}","valueOf":1}`, admin.access_token],
      ];
      for (const [method, path, body, token] of bodies) {
        const answer = await json(method, path, body, token);
        await verdict(method, path, answer, 400, 'VALIDATION_FAILED');
      }
      for (const target of [
        '/api/v1/users?constructor=1',
        '/api/v1/roles?toString=x',
        '/api/v1/permissions?__proto__=x',
        '/api/v1/audit-logs?hasOwnProperty=1',
        '/api/v1/users/login-status?username=a&valueOf=1',
      ]) {
        const answer = await send({ method: 'GET', target, headers: [['Authorization', `Bearer ${admin.access_token}`]] });
        await verdict('GET', target, answer, 400, 'VALIDATION_FAILED');
      }
      const reset = await send({ method: 'GET', target: '/api/v1/auth/password/reset/verify?token=abc&constructor=1' });
      await verdict('GET', '/api/v1/auth/password/reset/verify?token=abc&constructor=1', reset, 400, 'VALIDATION_FAILED');
    });

    it('a body `__proto__` or `constructor.prototype` stays 400 INVALID_JSON (the JSON parser refuses prototype poisoning)', async () => {
      for (const poison of ['"__proto__":{"roles":[1]}', '"constructor":{"prototype":{"roles":[1]}}']) {
        const answer = await json('POST', '/api/v1/auth/register', `{"username":"${uniqueName()}","password":"${PASSWORD}",${poison}}`);
        await verdict('POST', '/api/v1/auth/register', answer, 400, 'INVALID_JSON');
      }
    });
  });

  describe('errors raised before routing (answered without X-Request-Id)', () => {
    it('malformed percent-encoding in the path → 404 NOT_FOUND envelope with X-Request-Id', async () => {
      for (const target of [
        '/api/v1/users/%zz',
        '/api/v1/roles/%E0%A4%A',
        '/api/v1/permissions/%',
        '/api/v1/users/me/sessions/%C0',
        '/api/v1/nowhere%zz',
        '/health/live%zz',
        '/docs/%zz',
      ]) {
        for (const method of ['GET', 'DELETE', 'PATCH']) {
          const answer = await send({ method, target, headers: [['Authorization', `Bearer ${admin.access_token}`]] });
          await verdict(method, target, answer, 404, 'NOT_FOUND');
        }
      }
    });

    it('a 5,000-character id → 404 NOT_FOUND envelope with X-Request-Id', async () => {
      const long = 'a'.repeat(5000);
      for (const target of [
        `/api/v1/users/${long}`,
        `/api/v1/roles/${'9'.repeat(5000)}`,
        `/api/v1/permissions/${long}`,
        `/api/v1/users/${long}/roles`,
        `/api/v1/users/me/sessions/${long}`,
      ]) {
        const answer = await send({ method: 'GET', target, headers: [['Authorization', `Bearer ${admin.access_token}`]] });
        await verdict('GET', target, answer, 404, 'NOT_FOUND');
      }
    });

    it('a caller’s sane X-Request-Id is echoed on those answers too', async () => {
      const answer = await send({ method: 'GET', target: '/api/v1/users/%zz', headers: [['X-Request-Id', 'trace-12345']] });
      expect(answer.headers['x-request-id']).toBe('trace-12345');
      expect(answer.body.request_id).toBe('trace-12345');
    });

    it('a request line or headers beyond 16 KB → 400 VALIDATION_FAILED envelope with X-Request-Id', async () => {
      const cases: RawRequest[] = [
        { method: 'GET', target: `/api/v1/users/me?q=${'x'.repeat(20_000)}` },
        { method: 'GET', target: `/api/v1/${'a'.repeat(20_000)}` },
        { method: 'GET', target: '/api/v1/users/me', headers: [['X-Big', 'y'.repeat(20_000)]] },
        {
          method: 'GET',
          target: '/health/live',
          headers: Array.from({ length: 600 }, (_, i) => [`X-H${i}`, 'z'.repeat(30)] as [string, string]),
        },
      ];
      for (const req of cases) {
        const answer = await send(req);
        expect(judge(req.method, req.target, answer, false), req.target.slice(0, 60)).toEqual([]);
        expect([answer.status, answer.body?.error]).toEqual([400, 'VALIDATION_FAILED']);
        expect(answer.body.path).toBe(req.target.split('?')[0].slice(0, answer.body.path.length));
      }
    });

    it('a request the HTTP parser cannot read → 400 VALIDATION_FAILED envelope with X-Request-Id', async () => {
      const wires = [
        'GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n',
        'GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
        'GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc',
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        'GET /api/v1/users/me HTTP/9.9\r\nHost: x\r\n\r\n',
        'NOT A REQUEST\r\n\r\n',
      ];
      for (const wire of wires) {
        const answer = await send({ method: 'GET', target: '/', wire });
        expect(judge('GET', '/', answer, false), JSON.stringify(wire)).toEqual([]);
        expect([answer.status, answer.body?.error], JSON.stringify(wire)).toEqual([400, 'VALIDATION_FAILED']);
      }
    });
  });

  describe('what Node’s HTTP server answered by itself (bare bodies, no X-Request-Id)', () => {
    it('CONNECT → 404 NOT_FOUND envelope (the socket was closed without an answer)', async () => {
      for (const target of ['/api/v1/users', 'example.com:443']) {
        const answer = await send({ method: 'CONNECT', target });
        expect(judge('CONNECT', target, answer), target).toEqual([]);
        expect([answer.status, answer.body?.error]).toEqual([404, 'NOT_FOUND']);
      }
    });

    it('an HTTP/1.1 request without Host → 400 VALIDATION_FAILED envelope', async () => {
      const answer = await send({ method: 'GET', target: '/', wire: 'GET /api/v1/users/me HTTP/1.1\r\nConnection: close\r\n\r\n' });
      await verdict('GET', '/api/v1/users/me', answer, 400, 'VALIDATION_FAILED');
    });

    it('an Expect other than 100-continue is ignored, as RFC 9110 allows (was a bare 417)', async () => {
      const answer = await send({
        method: 'GET',
        target: '/api/v1/users/me',
        headers: [
          ['Expect', 'nonsense'],
          ['Authorization', `Bearer ${user.access_token}`],
        ],
      });
      expect(judge('GET', '/api/v1/users/me', answer)).toEqual([]);
      expect(answer.status).toBe(200);
    });
  });

  describe('validly signed tokens whose claims have impossible types (was 500: jsonwebtoken TypeError, an object as SQL parameter)', () => {
    const odd = (claims: Record<string, unknown>) => [
      { ...claims, sub: { $ne: null } },
      { ...claims, sid: { a: 1 } },
      { ...claims, sid: 42 },
      { ...claims, jti: ['x'] },
      { ...claims, exp: 'tomorrow' },
      { ...claims, aud: [1] },
      null,
      [claims],
      'claims',
    ];

    it('as an access token: 401 INVALID_TOKEN on every guarded route', async () => {
      const claims = claimsOf(user.access_token);
      for (const payload of odd(claims)) {
        const active = t.app.get(KeyStore).signingKey('ES256');
        const token = signEs256({ alg: 'ES256', typ: 'JWT', kid: active.kid }, payload, active.privateKey);
        for (const path of ['/api/v1/users/me', '/api/v1/users/me/sessions']) {
          const answer = await send({ method: 'GET', target: path, headers: [['Authorization', `Bearer ${token}`]] });
          await verdict('GET', path, answer, 401, 'INVALID_TOKEN');
        }
      }
    });

    it('as a refresh token, in the header or the body: 401 INVALID_TOKEN', async () => {
      const claims = claimsOf(user.refresh_token);
      for (const payload of odd(claims)) {
        const token = signHs256({ alg: 'HS256', typ: 'JWT' }, payload, Buffer.from(t.config.jwt.refreshSecret!, 'utf8'));
        const header = await send({ method: 'POST', target: '/api/v1/auth/refresh', headers: [['Authorization', `Bearer ${token}`]] });
        await verdict('POST', '/api/v1/auth/refresh', header, 401, 'INVALID_TOKEN');
        const body = await json('POST', '/api/v1/auth/refresh', JSON.stringify({ refresh_token: token }));
        await verdict('POST', '/api/v1/auth/refresh', body, 401, 'INVALID_TOKEN');
      }
    });

    it('a public route ignores such a header as it ignores any other', async () => {
      const active = t.app.get(KeyStore).signingKey('ES256');
      const token = signEs256({ alg: 'ES256', kid: active.kid }, null, active.privateKey);
      const answer = await json('POST', '/api/v1/auth/login', JSON.stringify({ username: user.username, password: PASSWORD }), token);
      expect(answer.status).toBe(200);
    });
  });

  it('an unsatisfiable Range on a docs asset → 400 VALIDATION_FAILED (was 500: a 416 the filter had no key for)', async () => {
    for (const range of ['bytes=9999999-', 'bytes=5-2', 'bytes=-0']) {
      const answer = await send({ method: 'GET', target: '/docs/swagger-ui.css', headers: [['Range', range]] });
      expect(judge('GET', '/docs/swagger-ui.css', answer), range).toEqual([]);
      expect([200, 206, 400], `${range}: ${answer.status}`).toContain(answer.status);
      if (answer.status === 400) expect(answer.body.error).toBe('VALIDATION_FAILED');
    }
    const unsatisfiable = await send({ method: 'GET', target: '/docs/swagger-ui.css', headers: [['Range', 'bytes=9999999-']] });
    await verdict('GET', '/docs/swagger-ui.css', unsatisfiable, 400, 'VALIDATION_FAILED');
  });

  describe('query values that are arrays where one value is expected', () => {
    it('answer 400 VALIDATION_FAILED on every list filter and query parameter', async () => {
      const targets = [
        '/api/v1/users?page=1&page=2',
        '/api/v1/users?page_size=5&page_size=5',
        '/api/v1/users?keyword=a&keyword=b',
        '/api/v1/users?sort=username&sort=email',
        '/api/v1/users?order=asc&order=asc',
        '/api/v1/users?status=active&status=disabled',
        '/api/v1/users?role=ADMIN&role=USER',
        '/api/v1/roles?page=2&page=2',
        '/api/v1/permissions?keyword=a&keyword=a',
        '/api/v1/audit-logs?from=2026-01-01&from=2026-01-02',
        '/api/v1/users/login-status?username=a&username=b',
        '/api/v1/auth/password/reset/verify?token=a&token=b',
      ];
      for (const target of targets) {
        const answer = await send({ method: 'GET', target, headers: [['Authorization', `Bearer ${admin.access_token}`]] });
        await verdict('GET', target, answer, 400, 'VALIDATION_FAILED');
        const name = new URL(target, t.url).searchParams.keys().next().value;
        expect(answer.body.details, target).toContainEqual({ field: name, code: 'single_value', message: `${name} must be given once` });
      }
    });
  });

  it('a request arriving while the instance drains gets the 503 envelope with X-Request-Id (was Fastify’s bare 503)', async () => {
    const draining = await startApp();
    const { hostname, port } = new URL(draining.url);
    const socket = connect({ host: hostname, port: Number(port) });
    try {
      const received: Buffer[] = [];
      socket.on('data', (chunk) => received.push(chunk));
      const ended = new Promise((resolve) => socket.on('close', resolve));
      await new Promise((resolve) => socket.once('connect', resolve));
      // A request whose body is still on its way keeps the connection busy while close() starts.
      const body = '{"username":1}';
      socket.write(
        `POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = draining.close();
      const server = draining.app.getHttpServer();
      for (let i = 0; i < 200 && server.listening; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(server.listening).toBe(false);
      // The rest of the body, then a second request on the same connection.
      socket.write(`${body.slice(5)}GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n`);
      await ended;
      await closing;
      const answers = Buffer.concat(received)
        .toString('utf8')
        .split(/(?=HTTP\/1\.1 )/);
      expect(answers).toHaveLength(2);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 400 /);
      const last = answers[1];
      expect(last).toMatch(/^HTTP\/1\.1 503 /);
      const requestId = /\r\nx-request-id: ([^\r]+)/i.exec(last)?.[1];
      expect(requestId).toBeTruthy();
      expect(last).toMatch(/\r\nretry-after: 5\r\n/i);
      const envelope = JSON.parse(last.slice(last.indexOf('\r\n\r\n') + 4));
      expect(envelope).toEqual({
        code: 503,
        error: 'SERVICE_UNAVAILABLE',
        message: expect.any(String),
        path: '/health/live',
        timestamp: expect.any(String),
        request_id: requestId,
      });
    } finally {
      socket.destroy();
    }
  });

  it('a CORS preflight, answered before routing, carries X-Request-Id', async () => {
    const cors = await startApp({ CORS_ORIGINS: 'https://app.example.com' });
    try {
      const answer = await rawRequest(cors.url, {
        method: 'OPTIONS',
        target: '/api/v1/auth/login',
        headers: [
          ['Origin', 'https://app.example.com'],
          ['Access-Control-Request-Method', 'POST'],
        ],
      });
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await cors.close();
    }
  });
});
