import { AppException } from '../../common/errors/app.exception.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import type { TokenService, TokenType } from '../token.service.js';

/**
 * Turns what passport-jwt reports (an error, or no user plus an `info`) into the
 * contract's error for a token of kind `expected`.
 */
export function tokenFailure(
  tokens: TokenService,
  expected: TokenType,
  rawToken: string | null,
  err: unknown,
  info: unknown,
): AppException {
  if (err instanceof AppException) return err;
  if (!rawToken) return new AppException(ErrorCode.UNAUTHENTICATED);
  return tokens.classify(err ?? info, rawToken, expected);
}
