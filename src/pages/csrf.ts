import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for the hosted pages' forms: an HMAC-SHA256 of what the form is bound to (an
 * interaction uid, a reset token's digest, …) under a key derived from ENCRYPTION_KEY by
 * HKDF. Every instance derives the same key, so a form served by one instance is accepted
 * by another, and a token is good only for the thing it was made for.
 */
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(encryptionKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', encryptionKey, 'authcentre', 'hosted pages csrf', 32));
  }

  /** The token of a form bound to `bindTo` (stable: the same value for the same binding). */
  tokenFor(bindTo: string): string {
    return createHmac('sha256', this.key).update(`csrf:${bindTo}`).digest('base64url');
  }

  /** Whether `presented` is the token of `bindTo`, compared in constant time. */
  verify(bindTo: string, presented: unknown): boolean {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > 128) return false;
    const expected = Buffer.from(this.tokenFor(bindTo));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
