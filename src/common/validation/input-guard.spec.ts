import { describe, expect, it } from 'vitest';
import { inspectInput, isWellFormed, toWellFormed } from './input-guard.js';

const nest = (n: number, inner: unknown = 1): unknown => (n === 0 ? inner : [nest(n - 1, inner)]);

describe('input guard', () => {
  it.each([
    ['', true],
    ['plain', true],
    ['😀 a pair', true],
    ['a\u0000b \u202e \ufeff', true],
    ['\ud800', false],
    ['\udfff', false],
    ['x\ud83dy', false],
    ['\ude00\ud83d', false],
  ])('isWellFormed(%j) → %s', (s, ok) => {
    expect(isWellFormed(s)).toBe(ok);
  });

  it('toWellFormed replaces lone surrogates only', () => {
    expect(toWellFormed('a\ud800b😀')).toBe('a\ufffdb😀');
  });

  it('accepts ordinary input, nested up to the limit', () => {
    expect(inspectInput({ a: 'x', b: [1, { c: null }], d: true })).toBeNull();
    expect(inspectInput(nest(32))).toBeNull();
    expect(inspectInput({ a: nest(31) })).toBeNull();
    expect(inspectInput(undefined)).toBeNull();
  });

  it('refuses nesting past the limit, naming the top-level field', () => {
    expect(inspectInput(nest(33))).toEqual({
      field: '',
      code: 'too_deep',
      message: 'the value must not be nested deeper than 32 levels',
      params: { max: 32 },
    });
    expect(inspectInput({ username: nest(32) })).toEqual({
      field: 'username',
      code: 'too_deep',
      message: 'username must not be nested deeper than 32 levels',
      params: { max: 32 },
    });
    expect(inspectInput({ a: 1 }, 0)).not.toBeNull();
  });

  it('walks 100,000 levels without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inspectInput(deep)?.message).toMatch(/nested deeper/);
  });

  it('refuses ill-formed strings in values and keys, naming the top-level field', () => {
    expect(inspectInput({ email: '\ud800' })).toEqual({
      field: 'email',
      code: 'ill_formed',
      message: 'email must be well-formed Unicode text',
    });
    expect(inspectInput({ roles: [{ name: ['ok', 'x\udc00'] }] })).toEqual({
      field: 'roles',
      code: 'ill_formed',
      message: 'roles must be well-formed Unicode text',
    });
    expect(inspectInput({ '\ud800': 1 })).toEqual({
      field: '\ufffd',
      code: 'ill_formed',
      message: '\ufffd must be well-formed Unicode text',
    });
    expect(inspectInput('\ud800')).toEqual({ field: '', code: 'ill_formed', message: 'the value must be well-formed Unicode text' });
  });
});
