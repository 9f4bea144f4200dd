import { createHmac, sign, type KeyObject } from 'node:crypto';

/** The algorithms the session tokens are signed with (docs/api.md §6). */
export type CompactAlg = 'ES256' | 'HS256';

const b64url = (json: object): string => Buffer.from(JSON.stringify(json)).toString('base64url');

/**
 * A JWT in JWS compact serialization (RFC 7515 §7.1), signed with node:crypto in one call:
 * ES256 as the raw `r || s` pair of RFC 7518 §3.4 (`dsaEncoding: 'ieee-p1363'`), HS256 as
 * an HMAC. Every login and refresh signs two tokens: jsonwebtoken's `sign` validates its
 * options and payload and streams through a Sign object on each call, most of the cost of a
 * signature (docs/performance.md), and jose signs through WebCrypto, which runs on libuv's
 * thread pool behind the password hashes. Verification stays with jsonwebtoken (passport-jwt),
 * which the tests check these tokens against, with jose as well.
 */
export function signCompact(alg: CompactAlg, key: KeyObject, claims: object, kid?: string): string {
  const input = `${b64url(kid === undefined ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid })}.${b64url(claims)}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : createHmac('sha256', key).update(input).digest();
  return `${input}.${signature.toString('base64url')}`;
}
