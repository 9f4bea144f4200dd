import type { LoggerService } from '@nestjs/common';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, stdTimeFunctions, type Logger, type LoggerOptions } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { AppConfig } from '../../config/app.config.js';

/**
 * One logger for the whole process: Fastify's request log and Nest's application log write
 * through the same pino instance, so there is one format. In production that is JSON lines with
 * ISO timestamps (for a log collector); elsewhere the same records are printed for a person
 * (pino-pretty, synchronously: no worker thread), one line each.
 */
export function createRootLogger(config: Pick<AppConfig, 'isProduction'> & { http: Pick<AppConfig['http'], 'logLevel'> }): Logger {
  const options: LoggerOptions = {
    level: config.http.logLevel,
    timestamp: stdTimeFunctions.isoTime,
    base: config.isProduction ? { pid: process.pid } : undefined,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    // Query strings carry tokens (a reset link's `token`): logged as `?…` only. Bodies are never logged.
    serializers: {
      req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({
        method: req.method,
        url: redactQuery(req.url),
        hostname: req.hostname,
        remoteAddress: req.ip,
      }),
    },
  };
  if (config.isProduction) return pino(options);
  const pretty = PinoPretty({
    sync: true,
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,context,reqId,req,res,responseTime',
    singleLine: true,
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
  return pino(options, pretty);
}

/**
 * Fastify's request log. In production its two JSON records per request; elsewhere one line
 * (`GET /api/v1/users/me 200 3 ms`) as the request completes.
 */
export function requestLog(config: Pick<AppConfig, 'isProduction'>): LogController {
  return config.isProduction ? new LogController() : new OneLineRequestLog();
}

class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = `${request.method} ${redactQuery(request.url)} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`;
    if (error) reply.log.error(`${line} (${error.name}: ${error.message})`);
    else reply.log.info(line);
  }
}

/** A path with its query string, if any, replaced by `?…`. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?…`;
}

/** Nest's start-up chatter (one line per module and route), kept for LOG_LEVEL=debug. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Nest's LoggerService on the root pino logger; the context becomes a `context` field. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    this.write(context && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, rest: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const context = contextOf(rest);
    // Nest passes an error's stack as a parameter before the context: never written (no stack
    // trace leaves the process), the error's name and message are.
    const fields = context ? { context } : {};
    if (message instanceof Error) this.root[level](fields, `${message.name}: ${message.message}`);
    else this.root[level](fields, typeof message === 'string' ? message : JSON.stringify(message));
  }
}

/** Nest's convention: the last string parameter is the context. */
function contextOf(rest: unknown[]): string | undefined {
  const last = rest.at(-1);
  return typeof last === 'string' ? last : undefined;
}
