import { createHmac, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';

/** Hostile bearer tokens made from a real one: expired, `alg: none`, wrong key, tampered, odd claims. */
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function signHs256(header: Record<string, unknown>, payload: unknown, key: Buffer | string): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

/** A JWS over any payload (jsonwebtoken refuses non-objects), signed ES256 as the app's access tokens are. */
export function signEs256(header: Record<string, unknown>, payload: unknown, key: KeyObject): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${sign('sha256', Buffer.from(head), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** How the app signs one kind of token: a refresh token (HS256, its secret) or an access token (ES256, its active key). */
export type Signer = (payload: unknown, header?: Record<string, unknown>) => string;

export const hs256Signer =
  (secret: string): Signer =>
  (payload, header = { alg: 'HS256', typ: 'JWT' }) =>
    signHs256(header, payload, Buffer.from(secret, 'utf8'));

export const es256Signer =
  (key: KeyObject, kid: string): Signer =>
  (payload, header = { alg: 'ES256', typ: 'JWT', kid }) =>
    signEs256(header, payload, key);

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export interface ForgedTokens {
  expired: string[];
  algNone: string[];
  wrongKey: string[];
  tampered: string[];
  /** Signed with the real key (as if it had leaked): claims of every wrong type and value. */
  oddClaims: string[];
  garbage: string[];
}

/**
 * `access` is a real access token of a plain user; `adminId` the id the forgeries try
 * to become. None of them may ever act as anyone.
 */
export function forgeTokens(access: string, signWithRealKey: Signer, adminId: string): ForgedTokens {
  const claims = claimsOf(access);
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'HS256', typ: 'JWT' };
  const [h, , s] = access.split('.');
  const odd: unknown[] = [
    { ...claims, sub: 123 },
    { ...claims, sub: null },
    { ...claims, sub: { $ne: null } },
    { ...claims, sub: ['x'] },
    { ...claims, sub: adminId, sid: randomUUID() },
    { ...claims, sid: 'x'.repeat(5000) },
    { ...claims, sid: "' OR 1=1 --" },
    { ...claims, sid: 42 },
    { ...claims, sid: { a: 1 } },
    { ...claims, sid: '\ud800' },
    { ...claims, typ: 'refresh' },
    { ...claims, typ: 'ACCESS' },
    { ...claims, typ: ['access'] },
    { ...claims, exp: 'tomorrow' },
    { ...claims, exp: 1e308 },
    { ...claims, exp: -1 },
    { ...claims, exp: undefined },
    { ...claims, nbf: now + 3600 },
    { ...claims, iat: 'x' },
    { ...claims, aud: ['authcentre-api', 'other'] },
    { ...claims, aud: 'other' },
    { ...claims, iss: 'someone-else' },
    { ...claims, jti: { x: 1 } },
    { ...claims, __proto__: { admin: true } },
    { ...claims, constructor: { prototype: { admin: true } } },
    '"just a string"',
    [claims],
    123,
    null,
  ];
  return {
    expired: [signWithRealKey({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 })],
    algNone: [
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: adminId })}.`,
      `${b64({ alg: 'none' })}.${b64(claims)}.${s}`,
      `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64(claims)}.`,
      `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claims)}.${s}`,
      `${b64({ alg: 'RS256', typ: 'JWT', kid: '../../etc/passwd' })}.${b64(claims)}.${s}`,
    ],
    wrongKey: [signHs256(header, claims, randomBytes(32)), signHs256(header, claims, ''), signHs256(header, claims, 'secret')],
    tampered: [`${h}.${b64({ ...claims, sub: adminId })}.${s}`, `${h}.${b64(claims)}.${s}x`, `${h}.${b64(claims)}`, `${h}..${s}`],
    oddClaims: odd.map((payload) => signWithRealKey(payload)),
    garbage: [
      '',
      'null',
      'undefined',
      'a.b.c',
      '...',
      'eyJ.eyJ.',
      '%00',
      'x'.repeat(8000),
      `${h}.${'A'.repeat(4000)}.${s}`,
      Buffer.from([0xff, 0xfe, 0xc0, 0xaf]).toString('latin1'),
      '\u00e9\u00e8',
      '{"alg":"none"}',
      "' OR '1'='1",
    ],
  };
}
