import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app.config.js';
import { localise, pickLocale } from '../i18n/messages.js';
import { ErrorCode, TOKEN_ERRORS } from './error-codes.js';
import { toAppException } from './map-error.js';

/**
 * What an unexpected error may put in the log: its type, code and message. Never the whole
 * object: TypeORM's QueryFailedError carries the SQL and its parameters (a password hash on
 * a password update), and no stack trace leaves the process (docs/api.md §7).
 */
export function describeError(err: unknown): { type: string; code?: string; message: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err).slice(0, 200) };
  const e = err as Error & { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return { type: e.name, ...(code !== undefined ? { code: String(code) } : {}), message: e.message.slice(0, 500) };
}

/** Keys after which RFC 6750 asks for a `WWW-Authenticate: Bearer` challenge. */
const BEARER_ERRORS = new Set<string>(TOKEN_ERRORS);

export interface ErrorEnvelope {
  code: number;
  error: ErrorCode;
  message: string;
  details?: { field: string; message: string }[];
  path: string;
  timestamp: string;
  request_id: string;
}

/**
 * The one place every error becomes the error envelope of docs/api.md §1: our own
 * AppExceptions, Nest's HttpExceptions (validation, unknown routes), Fastify's body
 * errors, TypeORM's unique violations and anything unexpected. Unexpected errors are
 * logged with the request id; their body says INTERNAL_ERROR and nothing more.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { exception, unexpected } = toAppException(err);

    if (unexpected) {
      request.log.error({ err: describeError(err), request_id: request.id }, 'request failed: %s', exception.code);
    }

    const locale = pickLocale(request.headers['accept-language'], this.config.i18n.defaultLocale);
    const params = { min: this.config.auth.passwordMinLength, ...exception.options.params };
    const body: ErrorEnvelope = {
      code: exception.status,
      error: exception.code,
      message: localise(locale, exception.code, params),
      ...(exception.options.details ? { details: exception.options.details } : {}),
      path: (request.url ?? '/').split('?')[0],
      timestamp: new Date().toISOString(),
      request_id: String(request.id),
    };

    for (const [name, value] of Object.entries(exception.options.headers ?? {})) reply.header(name, value);
    if (BEARER_ERRORS.has(exception.code)) {
      const error = exception.code === ErrorCode.UNAUTHENTICATED ? '' : ', error="invalid_token"';
      reply.header('WWW-Authenticate', `Bearer realm="api"${error}`);
    }
    reply.header('Content-Language', locale);
    reply.status(exception.status).send(body);
  }
}
