import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { defaultHashPool, PasswordHasher } from './password-hasher.js';

describe('the hashing pool', () => {
  it("defaults to the cores, within libuv's thread count", () => {
    expect(defaultHashPool(4)).toBeGreaterThanOrEqual(1);
    expect(defaultHashPool(4)).toBeLessThanOrEqual(4);
    expect(defaultHashPool(1)).toBe(1);
  });

  it('never runs more than the pool size at once, and runs everything queued', async () => {
    const pool = new PasswordHasher(2);
    let now = 0;
    let peak = 0;
    const job = async (i: number) => {
      now++;
      peak = Math.max(peak, now);
      await sleep(5);
      now--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => pool.limited(() => job(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(peak).toBe(2);
  });

  it('with queueAhead hands libuv one job more than the pool, so a finished thread starts the next at once', async () => {
    const pool = new PasswordHasher(2, undefined, { queueAhead: true });
    let now = 0;
    let peak = 0;
    const job = async () => {
      now++;
      peak = Math.max(peak, now);
      await sleep(5);
      now--;
    };
    await Promise.all(Array.from({ length: 9 }, () => pool.limited(job)));
    expect(peak).toBe(3);
    expect(pool.poolSize).toBe(2);
    expect(pool.queued).toBe(0);
  });

  it('reports how long each job waited for a slot (0 when one was free)', async () => {
    const waits: number[] = [];
    const pool = new PasswordHasher(1, { hashWait: (seconds) => waits.push(seconds) });
    await Promise.all([pool.limited(() => sleep(50)), pool.limited(() => sleep(1))]);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThanOrEqual(0.04);
  });

  it('frees the slot when a job fails', async () => {
    const pool = new PasswordHasher(1);
    await expect(pool.limited(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await pool.limited(async () => 'next')).toBe('next');
  });

  it('growing the pool starts queued jobs at once', async () => {
    const pool = new PasswordHasher(1);
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const jobs = Array.from({ length: 3 }, () => pool.limited(async () => (started++, gate)));
    await sleep(1);
    expect(started).toBe(1);
    expect(pool.queued).toBe(2);
    pool.resize(3);
    await sleep(1);
    expect(started).toBe(3);
    release();
    await Promise.all(jobs);
  });

  it('hashes with argon2id and verifies through the pool', async () => {
    const pool = new PasswordHasher(2);
    const hash = await pool.hash('correct horse battery staple');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(pool.needsRehash(hash)).toBe(false);
    expect(await pool.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await pool.verify(hash, 'wrong')).toBe(false);
  });
});
