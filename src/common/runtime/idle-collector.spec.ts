import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { IdleCollector } from './idle-collector.js';

const MB = 1024 * 1024;

describe('the idle collector', () => {
  function fake(heap: { size: number }, busy: { requests: number }) {
    const calls: number[] = [];
    const collector = new IdleCollector({
      intervalMs: 1000,
      growthBytes: 16 * MB,
      activity: () => busy.requests,
      gc: () => {
        calls.push(heap.size);
        heap.size = 40 * MB; // what a collection leaves
      },
      heapSize: () => heap.size,
    });
    return { collector, calls };
  }

  it('collects once the service is quiet and the heap has grown since the last collection, not before', () => {
    const heap = { size: 80 * MB };
    const busy = { requests: 0 };
    const { collector, calls } = fake(heap, busy);
    busy.requests += 500;
    expect(collector.look()).toBe(false); // busy: left to V8
    expect(collector.look()).toBe(true); // quiet, and the start's garbage is there
    expect(calls).toEqual([80 * MB]);
    heap.size = 50 * MB;
    expect(collector.look()).toBe(false); // grown by less than 16 MB since
    heap.size = 70 * MB;
    busy.requests += 1;
    expect(collector.look()).toBe(false); // a request came in
    expect(collector.look()).toBe(true); // and nothing since
    expect(collector.collections).toBe(2);
  });

  it("runs V8's own full collection when none is injected", () => {
    const allocate = () => Array.from({ length: 200_000 }, (_, i) => ({ i, text: `item ${i}` })).length;
    expect(allocate()).toBe(200_000); // all of it garbage once this returns
    const before = getHeapStatistics().used_heap_size;
    const collector = new IdleCollector({ intervalMs: 1000, growthBytes: 0, activity: () => 0 });
    expect(collector.look()).toBe(true);
    expect(getHeapStatistics().used_heap_size).toBeLessThan(before);
  });
});
