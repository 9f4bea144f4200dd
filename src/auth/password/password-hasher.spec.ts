import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultHashPool, getHashPool, hashPassword, limited, needsRehash, setHashPool, verifyPassword } from './password-hasher.js';

describe('the hashing pool', () => {
  const initial = getHashPool();
  afterEach(() => setHashPool(initial));

  it('defaults to the cores, within libuv\'s thread count', () => {
    expect(defaultHashPool()).toBeGreaterThanOrEqual(1);
    expect(defaultHashPool()).toBeLessThanOrEqual(Number(process.env.UV_THREADPOOL_SIZE) || 4);
  });

  it('never runs more than the pool size at once, and runs everything queued', async () => {
    setHashPool(2);
    let now = 0;
    let peak = 0;
    const job = async (i: number) => {
      now++;
      peak = Math.max(peak, now);
      await sleep(5);
      now--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => limited(() => job(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(peak).toBe(2);
  });

  it('frees the slot when a job fails', async () => {
    setHashPool(1);
    await expect(limited(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limited(async () => 'next')).toBe('next');
  });

  it('growing the pool starts queued jobs at once', async () => {
    setHashPool(1);
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const jobs = Array.from({ length: 3 }, () => limited(async () => (started++, gate)));
    await sleep(1);
    expect(started).toBe(1);
    setHashPool(3);
    await sleep(1);
    expect(started).toBe(3);
    release();
    await Promise.all(jobs);
  });

  it('hashes with argon2id and verifies through the pool', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(needsRehash(hash)).toBe(false);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'wrong')).toBe(false);
  });
});
