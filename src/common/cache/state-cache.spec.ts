import { describe, expect, it } from 'vitest';
import { MemoryStateCache } from './state-cache.js';

describe('MemoryStateCache', () => {
  it('loads once, then serves from memory', async () => {
    const cache = new MemoryStateCache<number>();
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.getOrLoad('a', load, 60)).toBe(1);
    expect(await cache.getOrLoad('a', load, 60)).toBe(1);
    expect(loads).toBe(1);
  });

  it('reloads after invalidate(key) and invalidateAll()', async () => {
    const cache = new MemoryStateCache<number>();
    let loads = 0;
    const load = async () => ++loads;
    await cache.getOrLoad('a', load, 60);
    await cache.invalidate('a');
    expect(await cache.getOrLoad('a', load, 60)).toBe(2);
    await cache.invalidateAll();
    expect(await cache.getOrLoad('a', load, 60)).toBe(3);
  });

  it('touch() rewrites a held value in place, creates none, and does not survive an invalidation', async () => {
    const cache = new MemoryStateCache<{ n: number; seen: string }>();
    await cache.touch('absent', (v) => ({ ...v, seen: 'x' }));
    let loads = 0;
    const load = async () => ({ n: ++loads, seen: 'db' });
    await cache.getOrLoad('a', load, 60);
    await cache.touch('a', (v) => ({ ...v, seen: 'touched' }));
    expect(await cache.getOrLoad('a', load, 60)).toEqual({ n: 1, seen: 'touched' });
    await cache.invalidate('a');
    expect(await cache.getOrLoad('a', load, 60)).toEqual({ n: 2, seen: 'db' });
    expect(await cache.getOrLoad('absent', load, 60)).toEqual({ n: 3, seen: 'db' });
  });

  it("still refuses a raced load after that key's version was dropped to make room", async () => {
    const cache = new MemoryStateCache<string>(2);
    let release!: () => void;
    const slow = cache.getOrLoad('s', () => new Promise<string>((r) => (release = () => r('stale'))), 60);
    await cache.invalidate('s');
    release();
    await slow;
    await cache.invalidate('x');
    await cache.invalidate('y'); // drops the version of 's'
    expect(await cache.getOrLoad('s', async () => 'fresh', 60)).toBe('fresh');
  });

  it('never serves a value whose load raced with an invalidation', async () => {
    const cache = new MemoryStateCache<string>();
    let release!: () => void;
    const slow = cache.getOrLoad('s', () => new Promise<string>((r) => (release = () => r('stale'))), 60);
    await cache.invalidate('s'); // e.g. a logout committed while the read was in flight
    release();
    expect(await slow).toBe('stale'); // the in-flight caller gets what it read…
    expect(await cache.getOrLoad('s', async () => 'fresh', 60)).toBe('fresh'); // …but nobody after it
  });

  it('expires entries after their TTL', async () => {
    const cache = new MemoryStateCache<number>();
    let loads = 0;
    await cache.getOrLoad('a', async () => ++loads, 0);
    await cache.getOrLoad('a', async () => ++loads, 0);
    expect(loads).toBe(2);
  });
});
