import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app.config.js';
import type { KeyValueStore } from '../../common/cache/kv-store.js';
import { CAPTCHA_STORE } from './captcha.store.js';

export interface CaptchaChallenge {
  captcha_id: string;
  /** `data:image/svg+xml;base64,...`, ready for an `<img src>`. */
  image: string;
  /** Seconds. */
  expires_in: number;
}

/**
 * Characters that are easy to misread. Answers are compared case-insensitively, so both
 * cases of o/i/l go too, or an uppercase I could be read as l.
 */
const AMBIGUOUS = '0oO1iIlL';

/** Image captchas for login after repeated failures (docs/api.md §3). */
@Injectable()
export class CaptchaService {
  constructor(
    @Inject(CAPTCHA_STORE) private readonly store: KeyValueStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(): Promise<CaptchaChallenge> {
    // Loaded on the first captcha: svg-captcha parses its font (opentype.js) when loaded, about
    // 1 MB of heap a service that never shows a captcha need not hold (docs/performance.md).
    const { create: createSvgCaptcha } = await import('svg-captcha');
    const { text, data } = createSvgCaptcha({ size: 5, noise: 2, ignoreChars: AMBIGUOUS });
    const id = randomUUID();
    const ttl = this.config.auth.captchaTtl;
    await this.store.put(id, text, ttl);
    return { captcha_id: id, image: `data:image/svg+xml;base64,${Buffer.from(data, 'utf8').toString('base64')}`, expires_in: ttl };
  }

  /**
   * Single use: the captcha is consumed by any attempt, right or wrong, so one image
   * cannot be guessed at repeatedly. Trimmed and case-insensitive, as users type.
   */
  async verify(id: string | undefined, code: string | undefined): Promise<boolean> {
    if (!id) return false;
    const answer = await this.store.take(id);
    if (answer === null || !code) return false;
    return normalise(code) === normalise(answer);
  }
}

function normalise(value: string): string {
  return value.trim().toLowerCase();
}
