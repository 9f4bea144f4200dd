import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { RedisSharedState } from './redis/redis-shared-state.js';
import { MemorySharedState, SHARED_STATE } from './shared-state.js';

/**
 * The process's one SharedState: Redis when REDIS_URL is set, memory otherwise. A feature
 * that owns fast-path state imports this module and asks for its namespace (sessions for
 * session liveness, authz for access, auth for captchas and rate limits).
 */
@Module({
  providers: [
    {
      provide: SHARED_STATE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.redis.url ? new RedisSharedState(config.redis.url) : new MemorySharedState()),
    },
  ],
  exports: [SHARED_STATE],
})
export class StateModule {}
