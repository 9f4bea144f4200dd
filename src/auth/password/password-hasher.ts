import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';

/**
 * argon2id with the parameters of OWASP's Password Storage Cheat Sheet (m=19 MiB, t=2, p=1).
 * `argon2` and `bcrypt` run in libuv's thread pool, off the event loop.
 *
 * At most `hashPool` hashes run at once (HASH_POOL_SIZE; by default one per core, at most
 * libuv's thread count, which bin/authcentre.cjs sets to match); the rest queue here. More
 * hashes in flight than cores only makes each slower (measured: 4 at once on 2 cores gives
 * fewer verifies/s than 2) and leaves the event loop less CPU, so a login storm would slow
 * every other request.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const BCRYPT_PREFIX = /^\$2[aby]\$\d{2}\$/;

const UV_POOL = Number(process.env.UV_THREADPOOL_SIZE) || 4;
let hashPool = defaultHashPool();
let running = 0;
const waiting: Array<() => void> = [];

/** One per core, but no more than libuv has threads (bin/authcentre.cjs sizes the two alike). */
export function defaultHashPool(): number {
  return Math.max(1, Math.min(availableParallelism(), UV_POOL));
}

/** Sets how many hashes may run at once (from HASH_POOL_SIZE at start). */
export function setHashPool(size: number): void {
  hashPool = Math.max(1, Math.floor(size));
  while (running < hashPool && waiting.length) {
    running++;
    waiting.shift()!();
  }
}

export function getHashPool(): number {
  return hashPool;
}

/** Runs `work` when one of the pool's slots is free; a finished hash hands its slot on. */
export async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running < hashPool) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = running <= hashPool ? waiting.shift() : undefined;
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return limited(() => argon2.hash(password, ARGON2_OPTIONS));
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
    if (isLegacyHash(hash)) return await limited(() => bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$')));
    if (hash.startsWith('$argon2')) return await limited(() => argon2.verify(hash, password));
    return false;
  } catch {
    return false;
  }
}
