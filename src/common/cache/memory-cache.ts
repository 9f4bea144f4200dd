/**
 * A bounded in-process cache with per-entry expiry and least-recently-set eviction
 * (a Map keeps insertion order). Right for one instance; with REDIS_URL the same
 * interfaces are served from Redis.
 */
export class MemoryCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  /** `onEvict` hears of every entry dropped to make room (not of expiries or deletes). */
  constructor(
    private readonly maxEntries = 100_000,
    private readonly onEvict?: (key: string) => void,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlSeconds: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.entries.delete(oldest);
        this.onEvict?.(oldest);
      }
    }
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
