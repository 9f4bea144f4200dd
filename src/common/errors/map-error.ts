import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { QueryFailedError } from 'typeorm';
import { AppException } from './app.exception.js';
import { ErrorCode } from './error-codes.js';

/** Which unique index a duplicate-key error names → the contract's 409 key. */
const UNIQUE_KEYS: [RegExp, ErrorCode][] = [
  [/username_key/i, ErrorCode.USERNAME_TAKEN],
  [/email_key/i, ErrorCode.EMAIL_TAKEN],
  [/phone_key/i, ErrorCode.PHONE_TAKEN],
  [/roles\.code|UQ_roles_code/i, ErrorCode.ROLE_CODE_TAKEN],
  [/permissions\.code|UQ_permissions_code/i, ErrorCode.PERMISSION_CODE_TAKEN],
  [/clients\.client_id|UQ_clients_client_id/i, ErrorCode.CLIENT_ID_TAKEN],
];

/** Driver error codes that mean "the database is not reachable right now" → 503. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'DB_UNAVAILABLE',
]);

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.VALIDATION_FAILED,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.INVALID_JSON,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.INVALID_JSON,
  FST_ERR_CTP_INVALID_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_BAD_URL: ErrorCode.NOT_FOUND,
  FST_ERR_NOT_FOUND: ErrorCode.NOT_FOUND,
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  statusCode?: unknown;
  message?: unknown;
  driverError?: ErrorLike;
}

function driverCode(err: ErrorLike): string | undefined {
  const code = err.driverError?.code ?? err.code;
  return typeof code === 'string' ? code : undefined;
}

export function isDuplicateKey(err: unknown): boolean {
  const code = driverCode(err as ErrorLike);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isUnavailable(err: unknown): boolean {
  const code = driverCode(err as ErrorLike);
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  const message = String((err as ErrorLike)?.message ?? '');
  return /connect ECONNREFUSED|Connection lost|Pool is closed|Can't add new command when connection is in closed state|connect ETIMEDOUT|database is locked/i.test(
    message,
  );
}

/**
 * Turns any thrown value into an AppException with the contract's key. The
 * original error is kept by the caller for the log; nothing of it reaches the body.
 */
export function toAppException(err: unknown): { exception: AppException; unexpected: boolean } {
  if (err instanceof AppException) return { exception: err, unexpected: false };
  if (err instanceof ThrottlerException) {
    return { exception: new AppException(ErrorCode.RATE_LIMITED), unexpected: false };
  }
  if (err instanceof QueryFailedError && isDuplicateKey(err)) {
    const text = `${String(err.driverError?.message ?? '')} ${err.message}`;
    const match = UNIQUE_KEYS.find(([re]) => re.test(text));
    if (match) return { exception: new AppException(match[1]), unexpected: false };
  }
  if (isUnavailable(err)) {
    return {
      exception: new AppException(ErrorCode.SERVICE_UNAVAILABLE, { headers: { 'Retry-After': '5' } }),
      unexpected: true,
    };
  }
  if (err instanceof HttpException) {
    // Nest wraps Fastify's 4xx errors (body parsing) with the original as `cause`.
    const cause = err.cause as ErrorLike | undefined;
    if (typeof cause?.code === 'string' && FASTIFY_CODES[cause.code]) {
      return { exception: new AppException(FASTIFY_CODES[cause.code]), unexpected: false };
    }
    const status = err.getStatus();
    const code = STATUS_CODES[status];
    if (code) return { exception: new AppException(code), unexpected: false };
    // Another client error the contract has no key for (416 from the docs' static files for an
    // unsatisfiable Range, say): the request is invalid, as for Fastify's errors below.
    if (status >= 400 && status < 500) return { exception: new AppException(ErrorCode.VALIDATION_FAILED), unexpected: false };
    return { exception: new AppException(ErrorCode.INTERNAL_ERROR), unexpected: true };
  }
  const e = err as ErrorLike;
  if (typeof e?.code === 'string' && FASTIFY_CODES[e.code]) {
    return { exception: new AppException(FASTIFY_CODES[e.code]), unexpected: false };
  }
  // Fastify's JSON parser throws a SyntaxError carrying statusCode 400.
  if (err instanceof SyntaxError && e.statusCode === 400) {
    return { exception: new AppException(ErrorCode.INVALID_JSON), unexpected: false };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = STATUS_CODES[e.statusCode] ?? ErrorCode.VALIDATION_FAILED;
    return { exception: new AppException(code), unexpected: false };
  }
  return { exception: new AppException(ErrorCode.INTERNAL_ERROR), unexpected: true };
}
