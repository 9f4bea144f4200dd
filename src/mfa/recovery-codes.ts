import { createHmac, hkdfSync, randomInt } from 'node:crypto';

/** How many recovery codes a set holds (API.md §11). */
export const RECOVERY_CODE_COUNT = 10;

/**
 * Crockford's base32 alphabet in lower case: no i, l, o or u, so nothing reads as another
 * character. Ten characters carry 50 random bits.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 10;

/** A set of new recovery codes, shown once, as `xxxxx-xxxxx`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    const raw = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    codes.add(`${raw.slice(0, 5)}-${raw.slice(5)}`);
  }
  return [...codes];
}

/**
 * A code as typed, in its one canonical form: case, spaces and hyphens do not matter, and
 * the letters people confuse with digits read as those digits (Crockford). Null when it
 * cannot be a recovery code at all.
 */
export function canonicalRecoveryCode(input: string): string | null {
  const code = input
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/[io]/g, (c) => (c === 'o' ? '0' : '1'))
    .replace(/l/g, '1');
  if (code.length !== LENGTH || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return code;
}

/**
 * Recovery codes are stored as HMAC-SHA-256 under a key derived from ENCRYPTION_KEY, bound
 * to the user: a copy of the table alone does not let anyone test guesses offline, and a
 * code of one user is nothing for another.
 */
export class RecoveryCodeHasher {
  private readonly key: Buffer;

  constructor(encryptionKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'authcentre:mfa:recovery-codes', 32));
  }

  /** The stored digest of a canonical code (hex, 64 characters). */
  digest(userId: string, canonicalCode: string): string {
    return createHmac('sha256', this.key).update(`${userId}:${canonicalCode}`, 'utf8').digest('hex');
  }
}
