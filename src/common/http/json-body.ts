import type { FastifyInstance } from 'fastify';
import { AppException } from '../errors/app.exception.js';
import { ErrorCode } from '../errors/error-codes.js';
import { inspectInput, MAX_INPUT_DEPTH } from '../validation/input-guard.js';

/**
 * Fastify's own JSON parser (secure-json-parse: `__proto__` and `constructor.prototype`
 * refused as INVALID_JSON, as before), followed by the input guard: a body nested deeper
 * than MAX_INPUT_DEPTH or holding an ill-formed string is refused here, before Nest's
 * pipes, class-transformer or any validator can trip over it.
 *
 * Both answer 400 VALIDATION_FAILED, not INVALID_JSON: the text is valid JSON (RFC 8259
 * allows any depth and `\ud800` escapes); it is what it says that this API refuses, as
 * it refuses an unknown property. The detail names the top-level field.
 */
export function installJsonBodyParser(fastify: FastifyInstance, maxDepth = MAX_INPUT_DEPTH): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (err, value) => {
      if (err) return done(err, undefined);
      const problem = inspectInput(value, maxDepth);
      if (problem) return done(new AppException(ErrorCode.VALIDATION_FAILED, { details: [problem] }), undefined);
      done(null, value);
    });
  });
}
