import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRecoveryCode, newRecoveryCodes, RecoveryCodeHasher } from './recovery-codes.js';

describe('recovery codes', () => {
  it('makes ten distinct codes of 50 random bits, as xxxxx-xxxxx', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  });

  it('reads a code however it is typed, and refuses what cannot be one', () => {
    expect(canonicalRecoveryCode('7k2m9-q4x8h')).toBe('7k2m9q4x8h');
    expect(canonicalRecoveryCode(' 7K2M9 Q4X8H ')).toBe('7k2m9q4x8h');
    expect(canonicalRecoveryCode('O1l2m-q4x8h')).toBe('0112mq4x8h');
    expect(canonicalRecoveryCode('7k2m9-q4x8')).toBeNull();
    expect(canonicalRecoveryCode('7k2m9-q4x8u')).toBeNull();
    expect(canonicalRecoveryCode('')).toBeNull();
  });

  it('stores a keyed digest bound to the user: not the code, not the same for another user or key', () => {
    const key = randomBytes(32);
    const hasher = new RecoveryCodeHasher(key);
    const digest = hasher.digest('user-a', '7k2m9q4x8h');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain('7k2m9q4x8h');
    expect(hasher.digest('user-a', '7k2m9q4x8h')).toBe(digest);
    expect(hasher.digest('user-b', '7k2m9q4x8h')).not.toBe(digest);
    expect(new RecoveryCodeHasher(randomBytes(32)).digest('user-a', '7k2m9q4x8h')).not.toBe(digest);
  });
});
