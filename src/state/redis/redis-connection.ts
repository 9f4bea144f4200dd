import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

/**
 * One Redis connection with the settings that keep the service answering when Redis
 * is down: commands fail at once instead of queueing (no offline queue), every command
 * has a deadline, and reconnects go on in the background forever.
 * `onOutage` runs when the link drops; `onRecovery` when it is usable again.
 */
export function connectRedis(url: string, name: string, hooks: { onOutage?: () => void; onRecovery?: () => void } = {}): Redis {
  const logger = new Logger(`Redis:${name}`);
  const redis = new Redis(url, {
    connectionName: `authcentre-${name}`,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let down = false;
  redis.on('ready', () => {
    if (down) logger.log('reconnected');
    down = false;
    hooks.onRecovery?.();
  });
  const outage = (why: string) => {
    if (!down) logger.warn(`unavailable (${why}); falling back to the database`);
    down = true;
    hooks.onOutage?.();
  };
  redis.on('close', () => outage('connection closed'));
  redis.on('error', (err: Error) => outage(err.message));
  return redis;
}
