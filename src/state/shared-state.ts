import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { MemoryKvStore, type KeyValueStore } from '../common/cache/kv-store.js';
import { MemoryStateCache, type CacheStats, type StateCache } from '../common/cache/state-cache.js';

/** Injection token of the one SharedState of the process (StateModule). */
export const SHARED_STATE = Symbol('SHARED_STATE');

export interface StateHealth {
  status: 'up' | 'down';
  fallback?: 'database';
}

/**
 * The fast-path state of API.md §7, handed out by namespace to the features that own it:
 * the revoked-session and permission caches, rate-limit counters, captchas and other
 * short-lived values. In process memory without REDIS_URL (right for one instance); in
 * Redis with it, shared by every instance. The database stays the truth.
 */
export interface SharedState {
  /** A cache of values read from the database, invalidated on every instance at once. */
  cache<V>(namespace: string): StateCache<V>;
  /** Short-lived values with a time to live. */
  kv(namespace: string): KeyValueStore;
  /** Rate-limit counters for @nestjs/throttler. */
  throttlerStorage(): ThrottlerStorage;
  /** Redis as readiness reports it; null without Redis. */
  health(): Promise<StateHealth | null>;
  /** The hit and miss counts of every cache handed out, by namespace (for the metrics). */
  cacheStats(): Iterable<[namespace: string, stats: CacheStats]>;
  /** Whether the Redis connection is usable now, without a round trip; null without Redis. */
  redisConnected(): boolean | null;
}

/** One instance: everything in this process's memory. */
export class MemorySharedState implements SharedState {
  private readonly caches = new Map<string, StateCache<unknown>>();
  private readonly stores = new Map<string, KeyValueStore>();
  private throttler?: ThrottlerStorage;

  cache<V>(namespace: string): StateCache<V> {
    if (!this.caches.has(namespace)) this.caches.set(namespace, new MemoryStateCache<unknown>());
    return this.caches.get(namespace) as StateCache<V>;
  }

  kv(namespace: string): KeyValueStore {
    if (!this.stores.has(namespace)) this.stores.set(namespace, new MemoryKvStore());
    return this.stores.get(namespace)!;
  }

  throttlerStorage(): ThrottlerStorage {
    return (this.throttler ??= new ThrottlerStorageService());
  }

  async health(): Promise<StateHealth | null> {
    return null;
  }

  *cacheStats(): Iterable<[string, CacheStats]> {
    for (const [namespace, cache] of this.caches) yield [namespace, cache.stats];
  }

  redisConnected(): null {
    return null;
  }
}
