/** Provided by the shared-state module when REDIS_URL is set. */
export const REDIS_HEALTH = Symbol('REDIS_HEALTH');

export interface RedisHealth {
  check(): Promise<{ status: 'up' | 'down'; fallback?: 'database' }>;
}
