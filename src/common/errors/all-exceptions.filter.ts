import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app.config.js';
import { errorResponse } from './error-response.js';
import { toAppException } from './map-error.js';

export type { ErrorEnvelope } from './error-response.js';

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

/**
 * The one place every error becomes the error envelope of docs/api.md §1: our own
 * AppExceptions, Nest's HttpExceptions (validation, unknown routes), Fastify's body
 * errors, TypeORM's unique violations and anything unexpected. Unexpected errors are
 * logged with the request id; their body says INTERNAL_ERROR and nothing more.
 * (Errors raised before routing are rendered alike by framework-errors.ts.)
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

    const { status, headers, body } = errorResponse(
      exception,
      { url: request.url, requestId: String(request.id), acceptLanguage: request.headers['accept-language'] },
      { defaultLocale: this.config.i18n.defaultLocale, passwordMinLength: this.config.auth.passwordMinLength },
    );
    reply.headers(headers).status(status).send(body);
  }
}
