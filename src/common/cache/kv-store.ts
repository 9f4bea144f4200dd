import { MemoryCache } from './memory-cache.js';

/**
 * Short-lived values with a time to live: captchas, second-factor challenges, OAuth
 * interactions. In process memory for one instance; in Redis with REDIS_URL, so a value
 * put on one instance is found on another.
 */
export interface KeyValueStore {
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** The value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Returns the value and deletes it in one step (single use); null when absent or expired. */
  take(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
}

/**
 * Process-memory store. Anyone may cause entries (a captcha needs no sign-in), so it is
 * bounded: past `maxEntries` the oldest go (their owners just start again).
 */
export class MemoryKvStore implements KeyValueStore {
  private readonly entries: MemoryCache<string>;

  constructor(maxEntries = 100_000) {
    this.entries = new MemoryCache(maxEntries);
  }

  async put(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, value, ttlSeconds);
  }

  async get(key: string): Promise<string | null> {
    return this.entries.get(key) ?? null;
  }

  async take(key: string): Promise<string | null> {
    // JavaScript runs this to completion, so no other take can see the entry in between.
    const value = this.entries.get(key) ?? null;
    this.entries.delete(key);
    return value;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
