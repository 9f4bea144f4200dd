import type { Redis } from 'ioredis';
import { MemoryCache } from '../../common/cache/memory-cache.js';
import type { CacheStats, StateCache } from '../../common/cache/state-cache.js';

interface Entry<V> {
  value: V;
  all: string;
  key: string;
}

/**
 * A StateCache shared by every instance through Redis. Values stay in each instance's
 * memory; what Redis holds is a version per key and one for everything. Every read
 * compares versions (one MGET, no database query); every invalidation bumps a version,
 * so a change made on any instance is in force on all of them at the next request.
 * Change notices (pub/sub) only drop memory early; correctness never waits for them.
 *
 * When Redis cannot answer, reads go to the database (fail closed: a revoked session is
 * never served from memory), and when it answers again every instance forgets what
 * it held, because invalidations made during the outage may have been lost.
 */
export class RedisStateCache<V> implements StateCache<V> {
  private readonly local: MemoryCache<Entry<V>>;
  private readonly allKey: string;
  private healthy = false;
  readonly stats: CacheStats = { hits: 0, misses: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly publish: (message: string) => Promise<void>,
    maxEntries = 100_000,
  ) {
    this.local = new MemoryCache(maxEntries);
    this.allKey = `authcentre:${namespace}:v:*`;
  }

  private verKey(key: string): string {
    return `authcentre:${this.namespace}:v:${key}`;
  }

  /** Redis is back: start from nothing, and make every other instance do the same. */
  async recovered(): Promise<void> {
    this.local.clear();
    try {
      await this.redis.incr(this.allKey);
      this.healthy = true;
    } catch {
      this.healthy = false;
    }
  }

  lost(): void {
    this.healthy = false;
    this.local.clear();
  }

  /** A change notice from another instance. */
  onNotice(key: string | null): void {
    if (key === null) this.local.clear();
    else this.local.delete(key);
  }

  async getOrLoad(key: string, loader: () => Promise<V>, ttlSeconds: number): Promise<V> {
    if (!this.healthy) {
      this.stats.misses++;
      return loader();
    }
    let versions: (string | null)[];
    try {
      versions = await this.redis.mget(this.allKey, this.verKey(key));
    } catch {
      this.stats.misses++;
      return loader();
    }
    const all = versions[0] ?? '0';
    const own = versions[1] ?? '0';
    const hit = this.local.get(key);
    if (hit && hit.all === all && hit.key === own) {
      this.stats.hits++;
      return hit.value;
    }
    this.stats.misses++;
    const value = await loader();
    this.local.set(key, { value, all, key: own }, ttlSeconds);
    return value;
  }

  async invalidate(key: string): Promise<void> {
    this.local.delete(key);
    await this.bump(async () => {
      await this.redis
        .multi()
        .incr(this.verKey(key))
        .expire(this.verKey(key), 7 * 86_400)
        .exec();
      await this.publish(key);
    });
  }

  async touch(key: string, update: (value: V) => V): Promise<void> {
    const hit = this.local.get(key);
    if (hit) hit.value = update(hit.value);
    // Others reload at their next request; a lost notice leaves them a stale display field only.
    await this.publish(key).catch(() => undefined);
  }

  async invalidateAll(): Promise<void> {
    this.local.clear();
    await this.bump(async () => {
      await this.redis.incr(this.allKey);
      await this.publish('*');
    });
  }

  /**
   * The database already holds the change. If Redis cannot take the version bump, this
   * instance reads the database until a global bump succeeds, and that bump makes every
   * other instance drop what it holds.
   */
  private async bump(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch {
      this.lost();
      this.heal();
    }
  }

  private healing = false;
  private heal(): void {
    if (this.healing) return;
    this.healing = true;
    const attempt = () => {
      void this.recovered().then(() => {
        if (this.healthy) this.healing = false;
        else setTimeout(attempt, 1000).unref();
      });
    };
    setTimeout(attempt, 200).unref();
  }
}
