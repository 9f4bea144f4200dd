import { ERROR_STATUS, type ErrorCode } from './error-codes.js';

export interface ErrorDetail {
  field: string;
  message: string;
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
