import argon2 from 'argon2';
import bcrypt from 'bcrypt';

/**
 * argon2id with the parameters of OWASP's Password Storage Cheat Sheet (m=19 MiB, t=2, p=1).
 * `argon2` and `bcrypt` run in libuv's thread pool, off the event loop.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const BCRYPT_PREFIX = /^\$2[aby]\$\d{2}\$/;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export function isLegacyHash(hash: string): boolean {
  return BCRYPT_PREFIX.test(hash);
}

/** True when the hash is not argon2id with today's parameters, so it should be re-hashed at login. */
export function needsRehash(hash: string): boolean {
  if (isLegacyHash(hash)) return true;
  try {
    return argon2.needsRehash(hash, ARGON2_OPTIONS);
  } catch {
    return true;
  }
}

/**
 * Verifies against argon2id, or against a legacy bcrypt hash (`$2a$`/`$2b$`/`$2y$`:
 * `$2y$` is PHP's name for the same algorithm as `$2b$`). Malformed hashes never verify.
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    if (isLegacyHash(hash)) return await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    if (hash.startsWith('$argon2')) return await argon2.verify(hash, password);
    return false;
  } catch {
    return false;
  }
}
