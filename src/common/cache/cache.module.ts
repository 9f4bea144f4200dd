import { randomUUID } from 'node:crypto';
import { Global, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { CAPTCHA_STORE, MemoryCaptchaStore } from '../../auth/captcha/captcha.store.js';
import type { AppConfig } from '../../config/app.config.js';
import { REDIS_HEALTH } from '../../health/redis-health.js';
import { RedisCaptchaStore } from '../../redis/redis-captcha.store.js';
import { connectRedis } from '../../redis/redis-connection.js';
import { RedisHealthIndicator } from '../../redis/redis-health.indicator.js';
import { RedisStateCache } from '../../redis/redis-state-cache.js';
import { RedisThrottlerStorage } from '../../redis/redis-throttler.storage.js';
import { MemoryStateCache } from './state-cache.js';

/** A user's resolved access (status, roles, permissions, profile), by user id. */
export const ACCESS_CACHE = Symbol('ACCESS_CACHE');
/** Whether a session (the tokens' `sid`) is live, by session id. */
export const SESSION_CACHE = Symbol('SESSION_CACHE');
/** Rate-limit counters for @nestjs/throttler. */
export const THROTTLER_STORE = Symbol('THROTTLER_STORE');

const REDIS = Symbol('REDIS');
const CHANNEL = 'authcentre:notices';

/** The two Redis connections (commands; change notices) and the caches they serve. */
@Injectable()
class RedisState implements OnApplicationShutdown {
  readonly client: Redis;
  readonly subscriber: Redis;
  readonly caches: Record<'access' | 'session', RedisStateCache<unknown>>;

  constructor(url: string) {
    this.client = connectRedis(url, 'commands', {
      onOutage: () => Object.values(this.caches).forEach((c) => c.lost()),
      onRecovery: () => Object.values(this.caches).forEach((c) => void c.recovered()),
    });
    // Notices carry the sender, so an instance skips its own: it already updated its memory.
    const self = randomUUID();
    const publish = (ns: string) => async (key: string) => {
      await this.client.publish(CHANNEL, `${ns}|${self}|${key}`);
    };
    this.caches = {
      access: new RedisStateCache(this.client, 'access', publish('access')),
      session: new RedisStateCache(this.client, 'session', publish('session')),
    };
    this.subscriber = connectRedis(url, 'notices');
    this.subscriber.on('ready', () => void this.subscriber.subscribe(CHANNEL).catch(() => undefined));
    this.subscriber.on('message', (_channel: string, message: string) => {
      const [ns, sender, key] = message.split('|', 3);
      if (sender === self || key === undefined) return;
      this.caches[ns as 'access' | 'session']?.onNotice(key === '*' ? null : key);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

function memoryProviders(): Provider[] {
  return [
    { provide: ACCESS_CACHE, useFactory: () => new MemoryStateCache() },
    { provide: SESSION_CACHE, useFactory: () => new MemoryStateCache() },
    { provide: CAPTCHA_STORE, useFactory: () => new MemoryCaptchaStore() },
    { provide: THROTTLER_STORE, useFactory: () => new ThrottlerStorageService() },
  ];
}

function redisProviders(url: string): Provider[] {
  return [
    { provide: REDIS, useFactory: () => new RedisState(url) },
    { provide: ACCESS_CACHE, inject: [REDIS], useFactory: (r: RedisState) => r.caches.access },
    { provide: SESSION_CACHE, inject: [REDIS], useFactory: (r: RedisState) => r.caches.session },
    { provide: CAPTCHA_STORE, inject: [REDIS], useFactory: (r: RedisState) => new RedisCaptchaStore(r.client, new MemoryCaptchaStore()) },
    {
      provide: THROTTLER_STORE,
      inject: [REDIS],
      useFactory: (r: RedisState) => new RedisThrottlerStorage(r.client, new ThrottlerStorageService()),
    },
    { provide: REDIS_HEALTH, inject: [REDIS], useFactory: (r: RedisState) => new RedisHealthIndicator(r.client) },
  ];
}

/**
 * The fast-path state of API.md §7: the revoked-session and permission caches, the
 * rate-limit counters and captchas. In process memory without REDIS_URL (right for one
 * instance); in Redis with it, shared by every instance. The database stays the truth.
 */
@Global()
@Module({})
export class SharedStateModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers = config.redis.url ? redisProviders(config.redis.url) : memoryProviders();
    return {
      module: SharedStateModule,
      providers,
      exports: [ACCESS_CACHE, SESSION_CACHE, CAPTCHA_STORE, THROTTLER_STORE, ...(config.redis.url ? [REDIS_HEALTH] : [])],
    };
  }
}

