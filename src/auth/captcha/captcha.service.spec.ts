import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/app.config.js';
import { CaptchaService } from './captcha.service.js';
import { MemoryKvStore } from '../../common/cache/kv-store.js';

describe('CaptchaService', () => {
  let store: MemoryKvStore;
  let service: CaptchaService;

  beforeEach(() => {
    // Fake timers freeze Date.now, so expiry is deterministic.
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    store = new MemoryKvStore();
    service = new CaptchaService(store, loadConfig({ CAPTCHA_TTL: '120' }));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates an SVG data URL with a stored 5-character answer and the TTL', async () => {
    const c = await service.create();
    expect(c.captcha_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(c.expires_in).toBe(120);
    expect(c.image).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(c.image.slice(c.image.indexOf(',') + 1), 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg[\s>][\s\S]*<\/svg>$/);
    const answer = await store.get(c.captcha_id);
    expect(answer).toMatch(/^[A-Za-z0-9]{5}$/);
    expect(answer).not.toMatch(/[0oO1iIlL]/);
    // Nothing but the image carries the answer, and there it is drawn as paths, not as text.
    expect(Object.keys(c).sort()).toEqual(['captcha_id', 'expires_in', 'image']);
    expect(svg).toContain('<path');
    expect(svg).not.toContain('<text');
  });

  it('gives each captcha its own id', async () => {
    const ids = new Set(await Promise.all(Array.from({ length: 20 }, async () => (await service.create()).captcha_id)));
    expect(ids.size).toBe(20);
  });

  it('accepts the right answer once, trimmed and in any case', async () => {
    const c = await service.create();
    const answer = (await store.get(c.captcha_id))!;
    expect(await service.verify(c.captcha_id, `  ${answer.toUpperCase()} `)).toBe(true);
    expect(await service.verify(c.captcha_id, answer)).toBe(false);
    expect(await store.get(c.captcha_id)).toBeNull();
  });

  it('spends the captcha on a wrong answer', async () => {
    const c = await service.create();
    const answer = (await store.get(c.captcha_id))!;
    expect(await service.verify(c.captcha_id, 'zzzzzz')).toBe(false);
    expect(await service.verify(c.captcha_id, answer)).toBe(false);
  });

  it('spends the captcha when the code is missing', async () => {
    const c = await service.create();
    const answer = (await store.get(c.captcha_id))!;
    expect(await service.verify(c.captcha_id, undefined)).toBe(false);
    expect(await service.verify(c.captcha_id, answer)).toBe(false);
  });

  it('refuses unknown and missing ids', async () => {
    expect(await service.verify(undefined, 'abcde')).toBe(false);
    expect(await service.verify('', 'abcde')).toBe(false);
    expect(await service.verify('00000000-0000-4000-8000-000000000000', 'abcde')).toBe(false);
  });

  it('expires after the TTL', async () => {
    const early = await service.create();
    const late = await service.create();
    const earlyAnswer = (await store.get(early.captcha_id))!;
    const lateAnswer = (await store.get(late.captcha_id))!;

    vi.advanceTimersByTime(119_999);
    expect(await service.verify(early.captcha_id, earlyAnswer)).toBe(true);

    vi.advanceTimersByTime(1);
    expect(await store.get(late.captcha_id)).toBeNull();
    expect(await service.verify(late.captcha_id, lateAnswer)).toBe(false);
  });
});
