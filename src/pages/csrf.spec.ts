import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CsrfTokens } from './csrf.js';

describe('CsrfTokens', () => {
  const key = randomBytes(32);

  it('accepts the token of the same binding, on another instance with the same key', () => {
    const token = new CsrfTokens(key).tokenFor('uid-1');
    expect(new CsrfTokens(key).verify('uid-1', token)).toBe(true);
  });

  it('refuses a token of another binding, another key, a tampered or missing one', () => {
    const csrf = new CsrfTokens(key);
    const token = csrf.tokenFor('uid-1');
    expect(csrf.verify('uid-2', token)).toBe(false);
    expect(new CsrfTokens(randomBytes(32)).verify('uid-1', token)).toBe(false);
    expect(csrf.verify('uid-1', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(csrf.verify('uid-1', undefined)).toBe(false);
    expect(csrf.verify('uid-1', '')).toBe(false);
    expect(csrf.verify('uid-1', ['x'])).toBe(false);
  });
});
