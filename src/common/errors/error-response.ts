import { detailText } from '../i18n/details.js';
import type { Locale } from '../i18n/messages.js';
import { localise, pickLocale } from '../i18n/messages.js';
import type { AppException, ErrorDetail } from './app.exception.js';
import { ErrorCode, TOKEN_ERRORS } from './error-codes.js';

/** Keys after which RFC 6750 asks for a `WWW-Authenticate: Bearer` challenge. */
const BEARER_ERRORS = new Set<string>(TOKEN_ERRORS);

export interface ErrorEnvelope {
  code: number;
  error: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  path: string;
  timestamp: string;
  request_id: string;
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorEnvelope;
}

/** What the error answer needs to know about the request. */
export interface ErrorRequest {
  /** The request target as sent (path and query); only the path is echoed. */
  url: string | undefined;
  requestId: string;
  acceptLanguage: string | undefined;
}

export interface ErrorRendering {
  defaultLocale: Locale;
  /** Interpolated into WEAK_PASSWORD's message. */
  passwordMinLength: number;
}

/**
 * The error envelope of docs/api.md §1 for an AppException, with its headers. One function
 * for the exception filter (errors inside Nest) and for the errors Fastify and Node
 * raise before a route is found (bad URL encoding, over-long ids, unparsable requests),
 * so every error answer has the same shape and keys.
 */
export function errorResponse(exception: AppException, request: ErrorRequest, rendering: ErrorRendering): ErrorResponse {
  const locale = pickLocale(request.acceptLanguage, rendering.defaultLocale);
  const params = { min: rendering.passwordMinLength, ...exception.options.params };
  const headers: Record<string, string> = { ...(exception.options.headers ?? {}) };
  if (BEARER_ERRORS.has(exception.code)) {
    const error = exception.code === ErrorCode.UNAUTHENTICATED ? '' : ', error="invalid_token"';
    headers['WWW-Authenticate'] = `Bearer realm="api"${error}`;
  }
  headers['Content-Language'] = locale;
  return {
    status: exception.status,
    headers,
    body: {
      code: exception.status,
      error: exception.code,
      message: localise(locale, exception.code, params),
      ...(exception.options.details ? { details: exception.options.details.map((d) => localiseDetail(locale, d)) } : {}),
      path: (request.url ?? '/').split('?')[0] || '/',
      timestamp: new Date().toISOString(),
      request_id: request.requestId,
    },
  };
}

/** A detail in the caller's locale: English as written at the rule, other locales from the code's text. */
function localiseDetail(locale: Locale, d: ErrorDetail): ErrorDetail {
  const message = locale === 'en' ? d.message : detailText(locale, d.code, d.field, d.params);
  return { field: d.field, code: d.code, message, ...(d.params ? { params: d.params } : {}) };
}
