import { DETAIL_CODES } from '../../../src/common/i18n/details.js';
import { LOCALES, MESSAGES } from '../../../src/common/i18n/messages.js';
import type { ErrorCode } from '../../../src/common/errors/error-codes.js';

/**
 * The error keys docs/api.md §1 allows per HTTP status — written out from the contract,
 * not imported from the code, so a key the code invents is caught.
 */
export const CONTRACT_KEYS: Record<number, readonly string[]> = {
  400: [
    'VALIDATION_FAILED',
    'INVALID_JSON',
    'WRONG_PASSWORD',
    'WEAK_PASSWORD',
    'INVALID_RESET_TOKEN',
    'CAPTCHA_INVALID',
    'INVALID_VERIFY_TOKEN',
  ],
  401: [
    'UNAUTHENTICATED',
    'INVALID_TOKEN',
    'TOKEN_EXPIRED',
    'TOKEN_REVOKED',
    'INVALID_TOKEN_TYPE',
    'INVALID_CREDENTIALS',
    'REFRESH_TOKEN_REUSED',
    'CAPTCHA_REQUIRED',
    'INVALID_MFA_CODE',
    'INVALID_MFA_TOKEN',
  ],
  403: ['FORBIDDEN', 'ACCOUNT_DISABLED', 'ACCOUNT_LOCKED', 'REGISTRATION_DISABLED', 'EMAIL_NOT_VERIFIED', 'CSRF_FAILED'],
  404: ['NOT_FOUND'],
  409: [
    'USERNAME_TAKEN',
    'EMAIL_TAKEN',
    'PHONE_TAKEN',
    'ROLE_CODE_TAKEN',
    'PERMISSION_CODE_TAKEN',
    'CLIENT_ID_TAKEN',
    'PROTECTED_RESOURCE',
    'MFA_ALREADY_ENABLED',
    'MFA_NOT_ENABLED',
  ],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  429: ['RATE_LIMITED'],
  500: ['INTERNAL_ERROR'],
  503: ['SERVICE_UNAVAILABLE'],
};

const ERROR_FIELDS = new Set(['code', 'error', 'message', 'details', 'path', 'timestamp', 'request_id']);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** What an answer of the service is judged on, whatever asked for it. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
  ms: number;
}

export interface Judged {
  method: string;
  /** The request target as sent (path and query). */
  target: string;
  answer: Answer;
}

export interface JudgeOptions {
  /** Strings that must never appear in any answer (secrets, the admin's password). */
  secrets: string[];
  /** An answer slower than this fails. */
  slowMs: number;
  /** The envelope's `path` must equal the request's path (false for unparsable request lines). */
  checkPath?: boolean;
}

/** Stack frames, driver and SQL errors, JS error names: what a leaking answer shows. */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat [\w$.<>[\] ]+ \(|\.(?:js|ts|mjs|cjs):\d+:\d+|node_modules[\\/]/],
  ['a driver error', /QueryFailedError|SQLITE_[A-Z]|\bER_[A-Z_]{3,}|sqlMessage|sqlState|errno/],
  ['an SQL statement', /\b(?:SELECT\s[\s\S]{1,200}\sFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\s/i],
  [
    'a JS error',
    /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|URIError|EvalError)\b|Maximum call stack|Cannot read propert|is not a function|undefined is not/,
  ],
  ['a Fastify error code', /FST_ERR_/],
];
/** /reset-password, /forgot-password, /verify-email (with or without a query). */
const ACCOUNT_PAGES = /^\/(reset-password|forgot-password|verify-email)(\?|$)/;

const HASHES = /\$argon2(?:id|i|d)\$|\$2[aby]\$\d\d\$[./A-Za-z0-9]{20}/;

/** Every message the catalogue can produce for a key, in every locale (with `{...}` as wildcards). */
function messagePatterns(code: string): RegExp[] {
  return LOCALES.filter((l) => code in MESSAGES[l]).map((l) => {
    const source = MESSAGES[l][code as ErrorCode]
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^]*?');
    return new RegExp(`^${source}$`);
  });
}

/**
 * Everything wrong with one answer: a 5xx, no X-Request-Id, an `/api/v1` answer outside
 * the envelope or with a key its status does not have, anything that leaks, slowness.
 */
export function problemsOf({ method, target, answer }: Judged, opts: JudgeOptions): string[] {
  const problems: string[] = [];
  const { status, headers, body, text } = answer;
  const path = target.split('?')[0];
  if (status >= 500) problems.push(`answered ${status}`);
  if (answer.ms > opts.slowMs) problems.push(`took ${Math.round(answer.ms)} ms`);
  const requestId = headers['x-request-id'];
  if (!requestId) problems.push('no X-Request-Id header');
  for (const secret of opts.secrets) if (secret && text.includes(secret)) problems.push('a secret in the answer');
  if (HASHES.test(text)) problems.push('a password hash in the answer');

  const api = path.startsWith('/api/v1') || path.startsWith('/api%2') || path.startsWith('/api/%');
  // Tokens and profiles never sit in a cache (§7): every /api/v1 answer, errors before routing too.
  if (api && !/\bno-store\b/.test(headers['cache-control'] ?? '')) problems.push('no Cache-Control: no-store');
  const isJson = (headers['content-type'] ?? '').startsWith('application/json');
  const hasBody = method !== 'HEAD' && status !== 204 && status !== 304;
  const error = status >= 400;
  // The authorization server speaks OAuth (§9): an error is `{ error, error_description }`,
  // or an HTML page where a browser is sent (the hosted pages, authorization errors).
  if (path.startsWith('/oauth2')) {
    if (hasBody && error) {
      const html = (headers['content-type'] ?? '').startsWith('text/html');
      if (!html && !(isJson && body && typeof body === 'object' && typeof body.error === 'string'))
        problems.push(`not an OAuth error: ${text.slice(0, 160)}`);
    }
    return problems;
  }
  // The account pages mailed links open answer a browser with an HTML page, errors too (a
  // method they do not serve gets the envelope, judged below).
  if (ACCOUNT_PAGES.test(path) && (headers['content-type'] ?? '').startsWith('text/html')) return problems;
  // Errors are the envelope everywhere else (only /api/v1 is promised; the others are judged by the same rule).
  if (hasBody && (api || error)) {
    if (!isJson || body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      problems.push(`not a JSON envelope: ${text.slice(0, 160)}`);
      return problems;
    }
    if (error) problems.push(...errorEnvelopeProblems(body, status, requestId, opts.checkPath === false ? undefined : path));
    else if (api) {
      const keys = Object.keys(body).sort().join(',');
      if (keys !== 'code,data,message' || body.code !== 0 || body.message !== 'OK')
        problems.push(`not the success envelope: ${text.slice(0, 160)}`);
    }
  }
  // Leak patterns: in every JSON answer, but not in what echoes the caller's own input
  // (success data, the field names of validation details).
  if (hasBody && isJson && body && typeof body === 'object' && !(path.startsWith('/docs') && status < 400)) {
    const scanned = error ? scrubEcho(body) : api ? { code: body.code, message: body.message } : body;
    const scan = JSON.stringify(scanned);
    for (const [what, re] of LEAKS) if (re.test(scan)) problems.push(`${what} in the answer: ${scan.slice(0, 200)}`);
  }
  return problems;
}

export function errorEnvelopeProblems(body: Record<string, any>, status: number, requestId: string | undefined, path?: string): string[] {
  const problems: string[] = [];
  const extra = Object.keys(body).filter((k) => !ERROR_FIELDS.has(k));
  if (extra.length) problems.push(`envelope has ${extra.join(', ')}`);
  if (body.code !== status) problems.push(`envelope code ${body.code} for status ${status}`);
  const allowed = CONTRACT_KEYS[status];
  if (!allowed) problems.push(`status ${status} has no key in the contract`);
  else if (!allowed.includes(body.error)) problems.push(`key ${body.error} is not a key of ${status}`);
  if (typeof body.message !== 'string' || !messagePatterns(body.error).some((re) => re.test(body.message))) {
    problems.push(`message is not the catalogue's text for ${body.error}: ${String(body.message).slice(0, 120)}`);
  }
  if (body.details !== undefined) {
    // Validation only (§1): the password policy's WEAK_PASSWORD names its field as well.
    if (body.error !== 'VALIDATION_FAILED' && body.error !== 'WEAK_PASSWORD') problems.push(`details on ${body.error}`);
    if (
      !Array.isArray(body.details) ||
      !body.details.every(
        (d: any) =>
          d &&
          typeof d.field === 'string' &&
          DETAIL_CODES.includes(d.code) &&
          typeof d.message === 'string' &&
          (d.params === undefined || (typeof d.params === 'object' && d.params !== null && !Array.isArray(d.params))) &&
          Object.keys(d).every((k) => ['field', 'code', 'message', 'params'].includes(k)),
      )
    ) {
      problems.push('details are not [{ field, code, message, params? }]');
    }
  }
  if (typeof body.timestamp !== 'string' || !ISO.test(body.timestamp)) problems.push('timestamp is not ISO 8601');
  if (typeof body.request_id !== 'string' || body.request_id !== requestId)
    problems.push(`request_id ${body.request_id} ≠ X-Request-Id ${requestId}`);
  if (typeof body.path !== 'string' || (path !== undefined && body.path !== path))
    problems.push(`path ${String(body.path).slice(0, 80)} ≠ ${String(path).slice(0, 80)}`);
  return problems;
}

/** The envelope without what echoes the caller's input: detail messages minus their field name. */
function scrubEcho(body: Record<string, any>): Record<string, unknown> {
  const { details, path: _path, ...rest } = body;
  if (!Array.isArray(details)) return rest;
  return {
    ...rest,
    details: details.map((d: any) => {
      const field = String(d?.field ?? '');
      const message = String(d?.message ?? '');
      return field ? message.split(field).join('<field>') : message;
    }),
  };
}
