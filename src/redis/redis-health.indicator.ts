import type { Redis } from 'ioredis';
import type { RedisHealth } from '../health/redis-health.js';

/**
 * Redis in readiness: reported, but not fatal. Without Redis every instance still
 * answers correctly from the database, so taking all of them out of the load balancer
 * for a Redis outage would turn a slowdown into an outage.
 */
export class RedisHealthIndicator implements RedisHealth {
  constructor(private readonly redis: Redis) {}

  async check(): Promise<{ status: 'up' | 'down'; fallback?: 'database' }> {
    try {
      await this.redis.ping();
      return { status: 'up' };
    } catch {
      return { status: 'down', fallback: 'database' };
    }
  }
}
