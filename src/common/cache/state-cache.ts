import { MemoryCache } from './memory-cache.js';

/** Lookups since start: a hit is served from memory, a miss goes to the loader (the database). */
export interface CacheStats {
  hits: number;
  misses: number;
}

/**
 * The fast-path cache behind the per-request checks (session revocation, a user's
 * access). One small interface, so the scale-out setup can serve it from Redis.
 *
 * The contract that keeps it safe: a value loaded from the database while an
 * invalidation of the same key (or of everything) was happening is never served
 * afterwards. So a revocation can never be overwritten by a slower, older read.
 */
export interface StateCache<V> {
  /** Counted in place (two integers: nothing allocated per lookup); read by the metrics. */
  readonly stats: CacheStats;
  getOrLoad(key: string, loader: () => Promise<V>, ttlSeconds: number): Promise<V>;
  invalidate(key: string): Promise<void>;
  invalidateAll(): Promise<void>;
  /**
   * Rewrites this instance's cached value in place, if it holds one, and has the other
   * instances drop theirs (best effort). Only for fields no check depends on (a display
   * field such as last_login_at): it moves no version, so it can never resurrect a value
   * an invalidation retired.
   */
  touch(key: string, update: (value: V) => V): Promise<void>;
}

interface Versioned<V> {
  value: V;
  all: number;
  key: number;
}

/** In-process StateCache: right for one instance. */
export class MemoryStateCache<V> implements StateCache<V> {
  private readonly entries: MemoryCache<Versioned<V>>;
  private readonly keyVersions: MemoryCache<number>;
  private allVersion = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0 };

  constructor(maxKeys = 100_000) {
    this.entries = new MemoryCache(maxKeys);
    // Bounded like the entries. A version dropped to make room would read as 0 again and
    // could re-validate a value loaded before that key's invalidation, so dropping one
    // retires every entry instead.
    this.keyVersions = new MemoryCache(maxKeys, () => this.invalidateEverything());
  }

  async getOrLoad(key: string, loader: () => Promise<V>, ttlSeconds: number): Promise<V> {
    const keyVersion = this.keyVersions.get(key) ?? 0;
    const hit = this.entries.get(key);
    if (hit && hit.all === this.allVersion && hit.key === keyVersion) {
      this.stats.hits++;
      return hit.value;
    }
    this.stats.misses++;
    const all = this.allVersion;
    const value = await loader();
    this.entries.set(key, { value, all, key: keyVersion }, ttlSeconds);
    return value;
  }

  async invalidate(key: string): Promise<void> {
    // Versions outlive any entry they guard (entries live at most a day here).
    this.keyVersions.set(key, (this.keyVersions.get(key) ?? 0) + 1, 86_400);
    this.entries.delete(key);
  }

  async invalidateAll(): Promise<void> {
    this.invalidateEverything();
  }

  private invalidateEverything(): void {
    this.allVersion++;
    this.entries.clear();
  }

  async touch(key: string, update: (value: V) => V): Promise<void> {
    const hit = this.entries.get(key);
    if (hit) hit.value = update(hit.value);
  }
}
