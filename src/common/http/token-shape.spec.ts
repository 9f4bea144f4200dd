import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasSaneClaims, MALFORMED_TOKEN, tokenShapeHook } from './token-shape.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const jwt = (payload: unknown, header: unknown = { alg: 'HS256', typ: 'JWT' }) => {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', 'k').update(head).digest('base64url')}`;
};
const good = { iss: 'authcentre', aud: 'authcentre-api', sub: 'u', sid: 's', jti: 'j', typ: 'access', iat: 1, nbf: 1, exp: 2 };

describe('token shape', () => {
  it('passes the tokens the service issues, and leaves what is not a JWT to the verifier', () => {
    expect(hasSaneClaims(jwt(good))).toBe(true);
    expect(hasSaneClaims(jwt({ ...good, aud: ['a', 'b'] }))).toBe(true);
    for (const token of ['', 'x', 'a.b', 'a.b.c.d', 'not json.at all.sig', `${b64('{')}.${b64('{')}.x`])
      expect(hasSaneClaims(token)).toBe(true);
  });

  it.each([
    ['a null payload', jwt(null)],
    ['an array payload', jwt([good])],
    ['a string payload', jwt('"claims"')],
    ['an object sub', jwt({ ...good, sub: { $ne: null } })],
    ['a number sid', jwt({ ...good, sid: 42 })],
    ['an array jti', jwt({ ...good, jti: ['x'] })],
    ['a string exp', jwt({ ...good, exp: 'tomorrow' })],
    ['a non-string audience', jwt({ ...good, aud: [1] })],
    ['a null header', jwt(good, null)],
    ['a number alg', jwt(good, { alg: 1 })],
  ])('refuses %s', (_, token) => {
    expect(hasSaneClaims(token)).toBe(false);
  });

  it('the hook replaces a bad bearer or body refresh token, and nothing else', () => {
    const hook = tokenShapeHook(2);
    const run = (headers: Record<string, string>, body?: unknown) => {
      const request = { headers, body } as never as { headers: Record<string, string>; body: Record<string, unknown> };
      hook(request as never, undefined, () => undefined);
      return request;
    };
    expect(run({ authorization: `Bearer ${jwt(null)}` }).headers.authorization).toBe(`Bearer ${MALFORMED_TOKEN}`);
    expect(run({ authorization: `bearer  ${jwt({ ...good, sid: {} })}` }).headers.authorization).toBe(`Bearer ${MALFORMED_TOKEN}`);
    expect(run({ authorization: `Bearer ${jwt(good)}` }).headers.authorization).toBe(`Bearer ${jwt(good)}`);
    expect(run({ authorization: `Basic ${jwt(null)}` }).headers.authorization).toBe(`Basic ${jwt(null)}`);
    expect(run({}, { refresh_token: jwt(null) }).body.refresh_token).toBe(MALFORMED_TOKEN);
    expect(run({}, { refresh_token: jwt(good) }).body.refresh_token).toBe(jwt(good));
    expect(run({}, { refresh_token: 5 }).body.refresh_token).toBe(5);
  });
});
