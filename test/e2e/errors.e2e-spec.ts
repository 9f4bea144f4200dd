import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { PASSWORD, register, uniqueName } from '../support/users.js';

/** Every error source of docs/api.md §1 → its key, in the envelope, never a 500. */
describe(`error mapping [${DB}]`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const envelope = (status: number, error: string) => ({
    code: status,
    error,
    message: expect.any(String),
    path: expect.stringMatching(/^\/api\/v1\//),
    timestamp: expect.any(String),
    request_id: expect.any(String),
  });

  it('validation → 400 VALIDATION_FAILED with per-field details', async () => {
    const res = await t.http.post('/api/v1/auth/register', { username: 12, password: PASSWORD, surprise: true });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ...envelope(400, 'VALIDATION_FAILED'), details: expect.any(Array) });
    const fields = res.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'surprise']));
  });

  it("each detail has a stable code, its parameters, and a message in the caller's language; a missing field is required", async () => {
    const missing = await t.http.post('/api/v1/auth/login', { username: 'someone' });
    expect(missing.body.details).toEqual([{ field: 'password', code: 'required', message: 'password is required' }]);
    const zh = await t.http.post(
      '/api/v1/auth/register',
      { username: 'ab', password: PASSWORD, nickname: 5 },
      { headers: { 'accept-language': 'zh-CN' } },
    );
    expect(zh.status).toBe(400);
    expect(zh.body.message).toBe('请求参数无效。');
    expect(zh.body.details).toEqual(
      expect.arrayContaining([
        { field: 'username', code: 'invalid_format', message: 'username 必须是文档所述的格式', params: { format: 'pattern' } },
        { field: 'nickname', code: 'invalid_type', message: 'nickname 必须是字符串', params: { type: 'string' } },
      ]),
    );
    const en = await t.http.post('/api/v1/auth/register', { username: 'ab', password: PASSWORD, nickname: 'n'.repeat(65) });
    expect(en.body.details).toEqual(
      expect.arrayContaining([
        {
          field: 'username',
          code: 'invalid_format',
          message: 'username must be 3-32 characters of A-Z a-z 0-9 _ . -',
          params: { format: 'pattern' },
        },
        {
          field: 'nickname',
          code: 'too_long',
          message: expect.stringMatching(/^nickname must be at most \d+ characters$/),
          params: { max: expect.any(Number) },
        },
      ]),
    );
    const weak = await t.http.post('/api/v1/auth/register', { username: uniqueName('w'), password: 'short' });
    expect(weak.body.error).toBe('WEAK_PASSWORD');
    expect(weak.body.details).toEqual([
      { field: 'password', code: 'too_short', message: 'password must be at least 8 characters', params: { min: 8 } },
    ]);
    const unknown = await t.http.post('/api/v1/auth/login', { username: 'a', password: 'b', surprise: 1 });
    expect(unknown.body.details).toEqual([{ field: 'surprise', code: 'not_allowed', message: 'surprise is not allowed here' }]);
  });

  it('malformed JSON → 400 INVALID_JSON', async () => {
    for (const raw of ['{"username": "a",', '{bad json}', '[1, 2', '{"__proto__": {"admin": true}}']) {
      const res = await t.http.req('POST', '/api/v1/auth/register', { raw, headers: { 'content-type': 'application/json' } });
      expect(res.status, raw).toBe(400);
      expect(res.body, raw).toEqual(envelope(400, 'INVALID_JSON'));
    }
  });

  it('a body that is not JSON → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.http.req('POST', '/api/v1/auth/login', { raw: 'username=a&password=b', headers: { 'content-type': type } });
      expect(res.status, type).toBe(415);
      expect(res.body).toEqual(envelope(415, 'UNSUPPORTED_MEDIA_TYPE'));
    }
  });

  it('a body over BODY_LIMIT → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.http.post('/api/v1/auth/register', { username: 'big', password: 'x'.repeat(110 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE'));
  });

  it('an unknown route → 404 NOT_FOUND; a wrong method → 404 as well', async () => {
    expect((await t.http.get('/api/v1/auth/nowhere')).body).toEqual(envelope(404, 'NOT_FOUND'));
    expect((await t.http.req('DELETE', '/api/v1/auth/login')).body).toEqual(envelope(404, 'NOT_FOUND'));
  });

  it('a unique violation → 409 with its key, even when two requests race', async () => {
    const username = uniqueName();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.http.post('/api/v1/auth/register', { username, password: PASSWORD })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body).toEqual(envelope(409, 'USERNAME_TAKEN'));
  });

  it('never shows a stack, SQL or a hash in an error', async () => {
    await register(t.http);
    const res = await t.http.post('/api/v1/auth/login', { username: "x'); DROP TABLE users; --", password: 'y' });
    expect(res.status).toBe(401);
    expect(res.text).not.toMatch(/SELECT|INSERT|stack|at .*\.js|\$argon2/i);
  });

  it('localises the message and keeps the key', async () => {
    const res = await t.http.post(
      '/api/v1/auth/login',
      { username: uniqueName(), password: 'Wrong-password-1' },
      { headers: { 'accept-language': 'zh-CN' } },
    );
    expect(res.body.error).toBe('INVALID_CREDENTIALS');
    expect(res.body.message).toBe('用户名或密码错误。');
    expect(res.headers.get('content-language')).toBe('zh-CN');
  });
});
