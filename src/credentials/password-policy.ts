import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { AppException, detail, type ErrorDetail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { isCommonPassword } from './common-passwords.js';

/** Upper bound of docs/api.md §3; also keeps hashing cost bounded. */
export const PASSWORD_MAX_LENGTH = 128;

/**
 * What a request body may carry in a password field: longer is refused as malformed
 * (400 VALIDATION_FAILED) before anything else; within it, the policy answers WEAK_PASSWORD.
 */
export const PASSWORD_HARD_MAX = 4096;

export type PasswordProblem = 'too_short' | 'too_long' | 'same_as_username' | 'common';

/**
 * The first rule of the password policy (docs/api.md §3) that the password breaks, or null.
 * Length is counted in Unicode code points, so an emoji or a CJK character is one
 * character as the user sees it, not two UTF-16 units.
 */
export function passwordProblem(password: string, opts: { minLength: number; username?: string | null }): PasswordProblem | null {
  const length = [...password].length;
  if (length < opts.minLength) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  if (opts.username && password.toLowerCase() === opts.username.toLowerCase()) return 'same_as_username';
  if (isCommonPassword(password)) return 'common';
  return null;
}

/** The detail of a broken rule, with its stable code (docs/api.md §1). */
export function problemDetail(field: string, problem: PasswordProblem, minLength: number): ErrorDetail {
  switch (problem) {
    case 'too_short':
      return detail(field, 'too_short', { min: minLength });
    case 'too_long':
      return detail(field, 'too_long', { max: PASSWORD_MAX_LENGTH });
    case 'same_as_username':
      return detail(field, 'same_as_username');
    case 'common':
      return detail(field, 'too_common');
  }
}

/** Applies the policy where a password is set: register, change, reset, admin create. */
@Injectable()
export class PasswordPolicy {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** @throws AppException WEAK_PASSWORD (400) naming `field` and the broken rule. */
  assertStrong(password: string, username?: string | null, field = 'password'): void {
    const minLength = this.config.auth.passwordMinLength;
    const problem = passwordProblem(password, { minLength, username });
    if (problem) {
      throw new AppException(ErrorCode.WEAK_PASSWORD, {
        details: [problemDetail(field, problem, minLength)],
        params: { min: minLength },
      });
    }
  }
}

/**
 * In production ADMIN_PASSWORD must pass the policy like any other password (docs/api.md §7):
 * the issue naming the variable, or null.
 */
export function adminPasswordIssue(config: AppConfig): { variable: string; message: string } | null {
  const password = config.admin.password;
  if (!config.isProduction || !password) return null;
  const problem = passwordProblem(password, { minLength: config.auth.passwordMinLength, username: config.admin.username });
  return problem
    ? {
        variable: 'ADMIN_PASSWORD',
        message: `fails the password policy: ${problemDetail('it', problem, config.auth.passwordMinLength).message}`,
      }
    : null;
}
