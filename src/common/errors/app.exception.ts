import { detailText, type DetailCode, type DetailParams } from '../i18n/details.js';
import { ERROR_STATUS, type ErrorCode } from './error-codes.js';

/**
 * One problem of a request (docs/api.md §1 `details`): the field, a stable `code` a
 * frontend can translate (with `params`), and an English `message`, rendered again in the
 * caller's locale when the error is answered.
 */
export interface ErrorDetail {
  field: string;
  code: DetailCode;
  message: string;
  params?: DetailParams;
}

/** A detail with the standard text of its code; `message` overrides the English text where a rule says more. */
export function detail(field: string, code: DetailCode, params?: DetailParams, message?: string): ErrorDetail {
  return { field, code, message: message ?? detailText('en', code, field, params), ...(params ? { params } : {}) };
}

export interface AppExceptionOptions {
  /** Per-field problems; only for VALIDATION_FAILED. */
  details?: ErrorDetail[];
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  /** Values interpolated into the localised message (`{seconds}`). */
  params?: Record<string, string | number>;
}

/** The one exception type services throw; the global filter renders it as the error envelope. */
export class AppException extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly options: AppExceptionOptions = {},
  ) {
    super(code);
    this.name = 'AppException';
    this.status = ERROR_STATUS[code];
  }
}
