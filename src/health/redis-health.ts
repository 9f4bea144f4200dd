import type { HealthIndicatorResult } from '@nestjs/terminus';

/** Provided by the Redis module when REDIS_URL is set. */
export const REDIS_HEALTH = Symbol('REDIS_HEALTH');

export interface RedisHealth {
  check(key: string): Promise<HealthIndicatorResult>;
}
