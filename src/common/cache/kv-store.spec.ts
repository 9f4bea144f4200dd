import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryKvStore } from './kv-store.js';

describe('MemoryKvStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('take returns the value once, then null', async () => {
    const store = new MemoryKvStore();
    await store.put('a', 'x7k2m', 60);
    expect(await store.get('a')).toBe('x7k2m');
    expect(await store.take('a')).toBe('x7k2m');
    expect(await store.take('a')).toBeNull();
    expect(await store.get('a')).toBeNull();
  });

  it('forgets values when their time is up', async () => {
    vi.useFakeTimers({ now: 0 });
    const store = new MemoryKvStore();
    await store.put('a', 'aaaaa', 10);
    vi.advanceTimersByTime(9_999);
    expect(await store.get('a')).toBe('aaaaa');
    vi.advanceTimersByTime(1);
    expect(await store.get('a')).toBeNull();
    expect(await store.take('a')).toBeNull();
  });

  it('caps its size by dropping the oldest entries', async () => {
    const store = new MemoryKvStore(3);
    for (let i = 0; i < 5; i++) await store.put(`id-${i}`, `v${i}`, 600);
    expect(await store.get('id-0')).toBeNull();
    expect(await store.get('id-1')).toBeNull();
    expect(await store.get('id-2')).toBe('v2');
    expect(await store.get('id-4')).toBe('v4');
  });

  it('deletes', async () => {
    const store = new MemoryKvStore();
    await store.put('a', 'x', 60);
    await store.delete('a');
    expect(await store.get('a')).toBeNull();
  });
});
