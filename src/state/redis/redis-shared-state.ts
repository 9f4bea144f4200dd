import { randomUUID } from 'node:crypto';
import type { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { MemoryKvStore, type KeyValueStore } from '../../common/cache/kv-store.js';
import type { CacheStats, StateCache } from '../../common/cache/state-cache.js';
import type { SharedState, StateHealth } from '../shared-state.js';
import { connectRedis } from './redis-connection.js';
import { RedisKvStore } from './redis-kv-store.js';
import { RedisStateCache } from './redis-state-cache.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

const CHANNEL = 'authcentre:notices';

/**
 * Several instances: two Redis connections (commands; change notices) and the caches and
 * stores they serve. Notices carry the sender, so an instance skips its own: it already
 * updated its memory.
 */
export class RedisSharedState implements SharedState, OnApplicationShutdown {
  readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly self = randomUUID();
  private readonly caches = new Map<string, RedisStateCache<unknown>>();
  private readonly stores = new Map<string, KeyValueStore>();
  private throttler?: ThrottlerStorage;

  constructor(url: string) {
    this.client = connectRedis(url, 'commands', {
      onOutage: () => this.caches.forEach((c) => c.lost()),
      onRecovery: () => this.caches.forEach((c) => void c.recovered()),
    });
    this.subscriber = connectRedis(url, 'notices');
    this.subscriber.on('ready', () => void this.subscriber.subscribe(CHANNEL).catch(() => undefined));
    this.subscriber.on('message', (_channel: string, message: string) => {
      const [ns, sender, key] = message.split('|', 3);
      if (sender === this.self || key === undefined) return;
      this.caches.get(ns)?.onNotice(key === '*' ? null : key);
    });
  }

  cache<V>(namespace: string): StateCache<V> {
    let cache = this.caches.get(namespace);
    if (!cache) {
      const publish = async (key: string) => {
        await this.client.publish(CHANNEL, `${namespace}|${this.self}|${key}`);
      };
      cache = new RedisStateCache(this.client, namespace, publish);
      this.caches.set(namespace, cache);
      // The connection may be up before this cache exists: start it as recovered.
      if (this.client.status === 'ready') void cache.recovered();
    }
    return cache as StateCache<V>;
  }

  kv(namespace: string): KeyValueStore {
    if (!this.stores.has(namespace)) this.stores.set(namespace, new RedisKvStore(this.client, namespace, new MemoryKvStore()));
    return this.stores.get(namespace)!;
  }

  throttlerStorage(): ThrottlerStorage {
    return (this.throttler ??= new RedisThrottlerStorage(this.client, new ThrottlerStorageService()));
  }

  /**
   * Reported, but not fatal: without Redis every instance still answers correctly from the
   * database, so taking all of them out of the load balancer for a Redis outage would turn
   * a slowdown into an outage.
   */
  async health(): Promise<StateHealth | null> {
    try {
      await this.client.ping();
      return { status: 'up' };
    } catch {
      return { status: 'down', fallback: 'database' };
    }
  }

  *cacheStats(): Iterable<[string, CacheStats]> {
    for (const [namespace, cache] of this.caches) yield [namespace, cache.stats];
  }

  /** The command connection (ioredis `status`): `ready` is usable; anything else means the database answers alone. */
  redisConnected(): boolean {
    return this.client.status === 'ready';
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
