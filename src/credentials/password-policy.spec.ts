import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app.config.js';
import { AppException } from '../common/errors/app.exception.js';
import { COMMON_PASSWORD_SOURCE, commonPasswordCount, isCommonPassword } from './common-passwords.js';
import { PasswordPolicy, passwordProblem } from './password-policy.js';

const min8 = { minLength: 8 };

describe('common password list', () => {
  it('holds at least 10,000 entries and names its source', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    expect(COMMON_PASSWORD_SOURCE).toMatch(/^@zxcvbn-ts\/language-common@\d+\.\d+\.\d+/);
  });

  it('knows well-known passwords, case-insensitively', () => {
    for (const pw of ['password', '123456789', 'qwerty123', 'PASSWORD', 'QwErTy123']) expect(isCommonPassword(pw), pw).toBe(true);
    expect(isCommonPassword('Tr0ub4dour-horse-staple-91')).toBe(false);
  });
});

describe('passwordProblem', () => {
  it('accepts a good password', () => {
    expect(passwordProblem('correct-Horse-7-battery', { minLength: 8, username: 'alice' })).toBeNull();
  });

  it('enforces the minimum length at the boundary', () => {
    expect(passwordProblem('Xk7#pQ2', min8)).toBe('too_short'); // 7
    expect(passwordProblem('Xk7#pQ2z', min8)).toBeNull(); // 8
    expect(passwordProblem('Xk7#pQ2z', { minLength: 10 })).toBe('too_short');
    expect(passwordProblem('', min8)).toBe('too_short');
  });

  it('enforces the maximum of 128 at the boundary', () => {
    const at128 = 'Zq9!'.repeat(32);
    expect([...at128].length).toBe(128);
    expect(passwordProblem(at128, min8)).toBeNull();
    expect(passwordProblem(`${at128}x`, min8)).toBe('too_long');
  });

  it('counts Unicode code points, not UTF-16 units', () => {
    const emoji7 = '🔑🔒🐉🌙⭐🍀🎲'; // 7 code points, 13 UTF-16 units
    expect(emoji7.length).toBe(13);
    expect(passwordProblem(emoji7, min8)).toBe('too_short');
    expect(passwordProblem(`${emoji7}🎯`, min8)).toBeNull();
    expect(passwordProblem('密码安全规则测试', min8)).toBeNull(); // 8 CJK characters
    // 128 astral characters are 256 UTF-16 units, still within the limit.
    expect(passwordProblem('🐉'.repeat(128), min8)).toBeNull();
    expect(passwordProblem('🐉'.repeat(129), min8)).toBe('too_long');
  });

  it('rejects the username, case-insensitively', () => {
    expect(passwordProblem('Alice.Smith', { minLength: 8, username: 'alice.smith' })).toBe('same_as_username');
    expect(passwordProblem('alice.smith', { minLength: 8, username: 'ALICE.SMITH' })).toBe('same_as_username');
    expect(passwordProblem('alice.smith2', { minLength: 8, username: 'alice.smith' })).toBeNull();
    expect(passwordProblem('alice.smith', { minLength: 8, username: null })).toBeNull();
  });

  it('rejects common passwords, case-insensitively', () => {
    expect(passwordProblem('password', min8)).toBe('common');
    expect(passwordProblem('123456789', min8)).toBe('common');
    expect(passwordProblem('qwerty123', min8)).toBe('common');
    expect(passwordProblem('Qwerty123', min8)).toBe('common');
  });

  it('reports length before the other rules', () => {
    expect(passwordProblem('qwerty', min8)).toBe('too_short');
  });
});

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy(loadConfig({ PASSWORD_MIN_LENGTH: '10' }));

  function caught(fn: () => void): AppException {
    try {
      fn();
    } catch (err) {
      if (err instanceof AppException) return err;
      throw err;
    }
    throw new Error('expected an AppException');
  }

  it('passes a strong password', () => {
    expect(() => policy.assertStrong('correct-Horse-7-battery', 'alice')).not.toThrow();
  });

  it('uses the configured minimum length and answers WEAK_PASSWORD (400), not VALIDATION_FAILED', () => {
    const err = caught(() => policy.assertStrong('Xk7#pQ2z9', 'alice')); // 9 < 10
    expect(err.code).toBe('WEAK_PASSWORD');
    expect(err.status).toBe(400);
    expect(err.options.details).toEqual([
      { field: 'password', code: 'too_short', message: 'password must be at least 10 characters', params: { min: 10 } },
    ]);
    expect(err.options.params).toEqual({ min: 10 });
  });

  it('names the given field and the reason', () => {
    expect(caught(() => policy.assertStrong('1234567890', 'bob', 'new_password')).options.details).toEqual([
      { field: 'new_password', code: 'too_common', message: 'new_password is too common' },
    ]);
    expect(caught(() => policy.assertStrong('Bob-the-builder', 'bob-THE-builder')).options.details).toEqual([
      { field: 'password', code: 'same_as_username', message: 'password must not be the same as the username' },
    ]);
    expect(caught(() => policy.assertStrong('a'.repeat(129))).options.details?.[0].message).toBe('password must be at most 128 characters');
  });
});
