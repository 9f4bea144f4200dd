import type { Redis } from 'ioredis';
import type { KeyValueStore } from '../../common/cache/kv-store.js';

/**
 * Short-lived values shared by every instance (put on one, taken on another); single use
 * by GETDEL. When Redis cannot answer, this instance's memory serves (a value is then only
 * found on the instance that put it).
 */
export class RedisKvStore implements KeyValueStore {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly fallback: KeyValueStore,
  ) {}

  private key(key: string): string {
    return `authcentre:${this.namespace}:${key}`;
  }

  async put(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(this.key(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    } catch {
      await this.fallback.put(key, value, ttlSeconds);
    }
  }

  async get(key: string): Promise<string | null> {
    try {
      return (await this.redis.get(this.key(key))) ?? (await this.fallback.get(key));
    } catch {
      return this.fallback.get(key);
    }
  }

  async take(key: string): Promise<string | null> {
    try {
      return (await this.redis.getdel(this.key(key))) ?? (await this.fallback.take(key));
    } catch {
      return this.fallback.take(key);
    }
  }

  async delete(key: string): Promise<void> {
    await Promise.all([this.redis.del(this.key(key)).catch(() => undefined), this.fallback.delete(key)]);
  }
}
