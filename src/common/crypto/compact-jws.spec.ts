import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { signCompact } from './compact-jws.js';

const claims = { iss: 'https://id.example', aud: 'api', sub: 'u-1', jti: 'j-1', typ: 'access', iat: 1_700_000_000, exp: 4_000_000_000 };

describe('signCompact', () => {
  it('signs ES256 tokens that jsonwebtoken and jose verify, with the kid in the header', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = signCompact('ES256', privateKey, claims, 'key-1');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'key-1' });
    expect(jwt.verify(token, publicKey, { algorithms: ['ES256'] })).toEqual(claims);
    expect((await jwtVerify(token, publicKey, { algorithms: ['ES256'] })).payload).toEqual(claims);
    // The signature is the 64-byte r || s of RFC 7518 §3.4, not DER.
    expect(Buffer.from(token.split('.')[2], 'base64url')).toHaveLength(64);
  });

  it('signs HS256 tokens that verify with the secret only', async () => {
    const key = createSecretKey(Buffer.from('s'.repeat(48)));
    const token = signCompact('HS256', key, claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(jwt.verify(token, key, { algorithms: ['HS256'] })).toEqual(claims);
    await expect(compactVerify(token, createSecretKey(Buffer.from('t'.repeat(48))))).rejects.toThrow();
  });
});
