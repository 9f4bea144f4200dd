import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../errors/error-codes.js';
import { localise, MESSAGES, pickLocale } from './messages.js';

describe('pickLocale', () => {
  it.each([
    [undefined, 'en'],
    ['*', 'en'],
    ['fr-FR', 'en'],
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['en-US,zh-CN;q=0.9', 'en'],
    ['en;q=0.5, zh-CN;q=0.8', 'zh-CN'],
    ['fr, zh;q=0.1', 'zh-CN'],
    ['zh-CN;q=0', 'en'],
  ])('%s → %s', (header, locale) => {
    expect(pickLocale(header, 'en')).toBe(locale);
  });

  it('falls back to the configured default', () => {
    expect(pickLocale('de', 'zh-CN')).toBe('zh-CN');
  });
});

describe('messages', () => {
  it('has a message for every error key in every locale', () => {
    for (const locale of Object.keys(MESSAGES) as (keyof typeof MESSAGES)[]) {
      expect(Object.keys(MESSAGES[locale]).sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    }
  });

  it('fills placeholders', () => {
    expect(localise('en', 'ACCOUNT_LOCKED', { seconds: 42 })).toContain('42 seconds');
    expect(localise('zh-CN', 'RATE_LIMITED', { seconds: 7 })).toContain('7 秒');
  });
});
