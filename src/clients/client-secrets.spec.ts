import { describe, expect, it } from 'vitest';
import { newClientSecret, rotatedSecrets, secretDigest, secretMatches } from './client-secrets.js';

describe('client secrets', () => {
  it('are 32 random bytes, stored as a SHA-256 digest only', () => {
    const secret = newClientSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secretDigest(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatches([{ digest: secretDigest(secret), not_after: null }], secret)).toBe(true);
    expect(secretMatches([{ digest: secretDigest(secret), not_after: null }], `${secret}x`)).toBe(false);
    expect(secretMatches(null, secret)).toBe(false);
    expect(secretMatches([{ digest: secretDigest(secret), not_after: null }], undefined)).toBe(false);
  });

  it('keep the previous secret working for the grace period only', () => {
    const first = newClientSecret();
    const second = newClientSecret();
    const now = 1_000_000;
    const stored = rotatedSecrets([{ digest: secretDigest(first), not_after: null }], second, 60, now);
    expect(secretMatches(stored, second, now)).toBe(true);
    expect(secretMatches(stored, first, now + 59)).toBe(true);
    expect(secretMatches(stored, first, now + 60)).toBe(false);
    // Without a grace period the previous secret stops at once; a third rotation drops the grace entry.
    expect(secretMatches(rotatedSecrets(stored, newClientSecret(), 0, now), first, now)).toBe(false);
    expect(secretMatches(rotatedSecrets(stored, newClientSecret(), 600, now), first, now)).toBe(false);
  });
});
