import { describe, expect, it } from 'vitest';
import { matchTotpStep, newTotpSecret, totpCode, totpStep, totpUri } from '../../src/mfa/totp.js';
import { base32Decode, codeForStep, hotp, stepAt } from '../support/totp.js';

/**
 * RFC 6238 Appendix B: the SHA-1 seed is the ASCII "12345678901234567890", 8 digits, 30 s.
 * Both generators — the tests' own (test/support/totp.ts) and the service's
 * (src/mfa/totp.ts, on `otpauth`) — must give these codes; the 6-digit code is the last six.
 */
const SEED = '12345678901234567890';
const SEED_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP against the RFC 6238 test vectors (SHA-1)', () => {
  it('decodes the seed from base32', () => {
    expect(base32Decode(SEED_BASE32).toString('ascii')).toBe(SEED);
  });

  it.each(VECTORS)("the tests' generator: T=%d → %s", (seconds, code) => {
    expect(hotp(Buffer.from(SEED, 'ascii'), stepAt(seconds * 1000), 8)).toBe(code);
    expect(codeForStep(SEED_BASE32, stepAt(seconds * 1000))).toBe(code.slice(2));
  });

  it.each(VECTORS)("the service's generator: T=%d → %s", (seconds, code) => {
    expect(totpStep(seconds * 1000)).toBe(stepAt(seconds * 1000));
    expect(totpCode(SEED_BASE32, totpStep(seconds * 1000), 8)).toBe(code);
    expect(totpCode(SEED_BASE32, totpStep(seconds * 1000))).toBe(code.slice(2));
  });
});

describe('matchTotpStep', () => {
  const now = 1_111_111_111_000;
  const step = stepAt(now);
  const code = (offset: number) => codeForStep(SEED_BASE32, step + offset);

  it('accepts the current step and one either side, and says which', () => {
    expect(matchTotpStep(SEED_BASE32, code(0), now)).toBe(step);
    expect(matchTotpStep(SEED_BASE32, code(-1), now)).toBe(step - 1);
    expect(matchTotpStep(SEED_BASE32, code(1), now)).toBe(step + 1);
  });

  it('refuses two steps away, malformed codes, and steps not after the last one used', () => {
    expect(matchTotpStep(SEED_BASE32, code(-2), now)).toBeNull();
    expect(matchTotpStep(SEED_BASE32, code(2), now)).toBeNull();
    expect(matchTotpStep(SEED_BASE32, code(0).slice(1), now)).toBeNull();
    expect(matchTotpStep(SEED_BASE32, `${code(0)}0`, now)).toBeNull();
    expect(matchTotpStep(SEED_BASE32, 'abcdef', now)).toBeNull();
    expect(matchTotpStep(SEED_BASE32, code(0), now, step)).toBeNull();
    expect(matchTotpStep(SEED_BASE32, code(-1), now, step - 1)).toBeNull();
    expect(matchTotpStep(SEED_BASE32, code(1), now, step)).toBe(step + 1);
  });

  it('makes 160-bit base32 secrets and an otpauth URI apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    const uri = new URL(totpUri(secret, 'alice'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/AuthCentre:alice');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret,
      issuer: 'AuthCentre',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
