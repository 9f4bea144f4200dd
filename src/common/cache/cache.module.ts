import { Global, Module } from '@nestjs/common';
import { MemoryStateCache } from './state-cache.js';

/** A user's resolved access (status, roles, permissions, profile), by user id. */
export const ACCESS_CACHE = Symbol('ACCESS_CACHE');
/** Whether a session (the tokens' `sid`) is live, by session id. */
export const SESSION_CACHE = Symbol('SESSION_CACHE');

/**
 * The per-request fast-path state. In process memory here (right for one instance);
 * the Redis module replaces these providers when REDIS_URL is set.
 */
@Global()
@Module({
  providers: [
    { provide: ACCESS_CACHE, useFactory: () => new MemoryStateCache() },
    { provide: SESSION_CACHE, useFactory: () => new MemoryStateCache() },
  ],
  exports: [ACCESS_CACHE, SESSION_CACHE],
})
export class StateCacheModule {}
