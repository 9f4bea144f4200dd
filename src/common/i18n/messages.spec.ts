import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../errors/error-codes.js';
import { DETAIL_CODES, detailText } from './details.js';
import { duration, localise, MESSAGES, pickLocale } from './messages.js';

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

  it('fills placeholders, waits in words', () => {
    expect(localise('en', 'ACCOUNT_LOCKED', { seconds: 42 })).toBe('Too many failed sign-in attempts. Try again in 42 seconds.');
    expect(localise('en', 'ACCOUNT_LOCKED', { seconds: 900 })).toBe('Too many failed sign-in attempts. Try again in 15 minutes.');
    expect(localise('zh-CN', 'RATE_LIMITED', { seconds: 7 })).toBe('请求过于频繁,请在 7 秒后重试。');
  });

  it.each([
    [1, '1 second', '1 秒'],
    [59, '59 seconds', '59 秒'],
    [60, '1 minute', '1 分钟'],
    [61, '2 minutes', '2 分钟'],
    [899.2, '15 minutes', '15 分钟'],
    [3600, '1 hour', '1 小时'],
    [7500, '2 hours 5 minutes', '2 小时 5 分钟'],
  ])('duration(%s)', (seconds, en, zh) => {
    expect(duration('en', seconds)).toBe(en);
    expect(duration('zh-CN', seconds)).toBe(zh);
  });
});

describe('validation details', () => {
  it('has a text for every code in every locale, with the field and parameters filled in', () => {
    for (const code of DETAIL_CODES) {
      for (const locale of ['en', 'zh-CN'] as const) {
        const text = detailText(locale, code, 'password', { min: 8, max: 32, values: 'a, b', fields: 'code, recovery_code', ids: '9' });
        expect(text, `${locale} ${code}`).not.toMatch(/\{\w+\}/);
      }
    }
    expect(detailText('en', 'too_long', 'username', { max: 32 })).toBe('username must be at most 32 characters');
    expect(detailText('zh-CN', 'required', 'password')).toBe('password 为必填项');
    expect(detailText('en', 'invalid_type', 'page', { type: 'integer' })).toBe('page must be an integer');
    expect(detailText('zh-CN', 'invalid_format', 'email', { format: 'email' })).toBe('email 必须是邮箱地址');
  });
});
