import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';
import type { TelemetrySink } from '../common/telemetry/telemetry.js';

/**
 * argon2id with the parameters of OWASP's Password Storage Cheat Sheet (m=19 MiB, t=2, p=1).
 * `argon2` and `bcrypt` run in libuv's thread pool, off the event loop.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const BCRYPT_PREFIX = /^\$2[aby]\$\d{2}\$/;

/** One per core, but no more than libuv has threads (bin/authcentre.cjs sizes the two alike). */
export function defaultHashPool(uvThreads = 4): number {
  return Math.max(1, Math.min(availableParallelism(), uvThreads));
}

export function isLegacyHash(hash: string): boolean {
  return BCRYPT_PREFIX.test(hash);
}

/**
 * Hashes and verifies passwords, `size` at once (HASH_POOL_SIZE; by default one per core);
 * the rest queue here. More hashes running than cores only makes each slower (measured: 4 at
 * once on 2 cores gives fewer verifies/s than 2) and leaves the event loop less CPU, so a
 * login storm would slow every other request.
 *
 * With `queueAhead` (libuv has no more threads than `size`, as bin/authcentre.cjs sets it),
 * one more hash is handed to libuv than it has threads: it waits in libuv's own queue, and a
 * thread that finishes a hash starts it at once, instead of idling until the event loop —
 * busy with other requests — gets round to handing the next one over. Measured on 2 cores
 * at 16 concurrent logins: 0.77 → 0.83 of raw argon2id throughput (docs/performance.md).
 * One instance per process (CredentialsModule provides it), since libuv's pool is per process.
 */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly ahead: number;

  /** `telemetry` hears how long each hash waited for a slot (the metric of a login storm). */
  constructor(
    private size: number,
    private readonly telemetry?: Pick<TelemetrySink, 'hashWait'>,
    options: { queueAhead?: boolean } = {},
  ) {
    this.size = Math.max(1, Math.floor(size));
    this.ahead = options.queueAhead ? 1 : 0;
  }

  /** How many hashes run at once. */
  get poolSize(): number {
    return this.size;
  }

  /** How many hashes wait for a slot now (a metric of login load); the one queued ahead in libuv is not counted. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Hashes handed to libuv at most: the pool, and the one queued ahead. */
  private get limit(): number {
    return this.size + this.ahead;
  }

  /** Changes how many hashes may run at once; queued ones start if there is room. */
  resize(size: number): void {
    this.size = Math.max(1, Math.floor(size));
    while (this.running < this.limit && this.waiting.length) {
      this.running++;
      this.waiting.shift()!();
    }
  }

  /** Runs `work` when one of the pool's slots is free; a finished hash hands its slot on. */
  async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) {
      this.running++;
      this.telemetry?.hashWait(0);
    } else {
      const queuedAt = performance.now();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.telemetry?.hashWait((performance.now() - queuedAt) / 1000);
    }
    try {
      return await work();
    } finally {
      const next = this.running <= this.limit ? this.waiting.shift() : undefined;
      if (next) next();
      else this.running--;
    }
  }

  hash(password: string): Promise<string> {
    return this.limited(() => argon2.hash(password, ARGON2_OPTIONS));
  }

  /** True when the hash is not argon2id with today's parameters, so it should be re-hashed at login. */
  needsRehash(hash: string): boolean {
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
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      if (isLegacyHash(hash)) return await this.limited(() => bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$')));
      if (hash.startsWith('$argon2')) return await this.limited(() => argon2.verify(hash, password));
      return false;
    } catch {
      return false;
    }
  }
}
