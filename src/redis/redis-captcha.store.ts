import type { Redis } from 'ioredis';
import type { CaptchaStore } from '../auth/captcha/captcha.store.js';

/**
 * Captchas shared by every instance: issued on one, answered on another. Single use by
 * GETDEL. Without Redis, this instance's memory serves (a captcha is then only good on
 * the instance that drew it).
 */
export class RedisCaptchaStore implements CaptchaStore {
  constructor(
    private readonly redis: Redis,
    private readonly fallback: CaptchaStore,
  ) {}

  private key(id: string): string {
    return `authcentre:captcha:${id}`;
  }

  async put(id: string, answer: string, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(this.key(id), answer, 'EX', ttlSeconds);
    } catch {
      await this.fallback.put(id, answer, ttlSeconds);
    }
  }

  async take(id: string): Promise<string | null> {
    try {
      const answer = await this.redis.getdel(this.key(id));
      return answer ?? (await this.fallback.take(id));
    } catch {
      return this.fallback.take(id);
    }
  }
}
