import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception.js';
import { ErrorCode } from '../errors/error-codes.js';
import { errorResponse, type ErrorRendering } from '../errors/error-response.js';
import { toAppException } from '../errors/map-error.js';

/**
 * Answers for the requests that never reach a route, so they too carry X-Request-Id,
 * the security headers and the error envelope of docs/api.md §1 (issue #12). Before this,
 * Fastify and Node answered them with their own bodies and no request id.
 *
 * - `frameworkErrors`: the router refuses the path before any hook runs. Malformed
 *   percent-encoding (`/users/%zz`) or a path parameter longer than the router takes
 *   (5,000 characters) cannot name anything here: 404 NOT_FOUND, as any other id that
 *   cannot exist (not Fastify's 400/414, which the contract has no key for).
 * - `clientError`: Node's HTTP parser cannot read the request (a request line and
 *   headers over 16 KB, a header without a colon, a bad chunk, conflicting lengths, a
 *   request not complete in time). No route, no hook, only the socket: the answer is
 *   written by hand. 400 VALIDATION_FAILED (not 431/414/408, which the contract has no
 *   key for), with the path taken from the request line when it got that far.
 */

/** `frameworkErrors` of the Fastify instance. */
export function frameworkErrorHandler(rendering: ErrorRendering, securityHeaders: Record<string, string>) {
  return (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    let exception: AppException;
    if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      exception = new AppException(ErrorCode.NOT_FOUND);
    } else {
      const mapped = toAppException(error);
      exception = mapped.exception;
      if (mapped.unexpected) request.log.error({ err: error, request_id: request.id }, 'request failed before routing: %s', exception.code);
    }
    const { status, headers, body } = errorResponse(
      exception,
      { url: request.raw.url, requestId: String(request.id), acceptLanguage: request.headers['accept-language'] },
      rendering,
    );
    reply
      .headers(securityHeaders)
      .header('X-Request-Id', request.id)
      .header('Cache-Control', 'no-store')
      .headers(headers)
      .code(status)
      .send(body);
  };
}

const REQUEST_LINE = /^[A-Za-z]+ ([^\s?]*)/;

/** An error envelope written straight to a socket that no route or hook will answer. */
function writeRawError(
  socket: Socket,
  exception: AppException,
  url: string,
  rendering: ErrorRendering,
  securityHeaders: Record<string, string>,
): void {
  const requestId = randomUUID();
  const { status, headers, body } = errorResponse(exception, { url, requestId, acceptLanguage: undefined }, rendering);
  const payload = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    ...Object.entries({ ...securityHeaders, ...headers }).map(([name, value]) => `${name}: ${value}`),
    `X-Request-Id: ${requestId}`,
    'Cache-Control: no-store',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    'Connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${payload}`);
  // A client that never reads must not hold the socket open.
  setTimeout(() => socket.destroy(), 5000).unref();
}

/** `clientErrorHandler` of the Fastify instance (Node's `clientError` event). */
export function clientErrorHandler(rendering: ErrorRendering, securityHeaders: Record<string, string>) {
  return (err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    // A reset connection has nobody to answer (as Fastify's and Node's own handlers do).
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // Never write into the middle of a response already under way on this socket.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const line = Buffer.isBuffer(err.rawPacket) ? REQUEST_LINE.exec(err.rawPacket.subarray(0, 16 * 1024).toString('latin1')) : null;
    writeRawError(socket, new AppException(ErrorCode.VALIDATION_FAILED), line?.[1] || '/', rendering, securityHeaders);
  };
}

/**
 * What Node's HTTP server would otherwise answer by itself, without the envelope:
 * - `CONNECT` (a proxy tunnel request): Node closes the socket without a word when
 *   nobody listens; this is no proxy, so 404 NOT_FOUND as for any unknown route.
 * - an `Expect` other than `100-continue`: Node answers a bare 417; RFC 9110 §10.1.1
 *   lets a server ignore an expectation it does not know, so the request is served.
 * - an HTTP/1.1 request without `Host`: Node answers a bare 400; Node's check is
 *   turned off and the hook that sets X-Request-Id answers 400 VALIDATION_FAILED
 *   instead (see `missingHost`).
 */
export function guardServer(server: Server, rendering: ErrorRendering, securityHeaders: Record<string, string>): void {
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    socket.on('error', () => socket.destroy());
    writeRawError(socket, new AppException(ErrorCode.NOT_FOUND), (req.url ?? '/').split('?')[0], rendering, securityHeaders);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
}

/** RFC 9112 §3.2: an HTTP/1.1 request must name its host. */
export function missingHost(request: FastifyRequest): boolean {
  return request.raw.httpVersion === '1.1' && request.headers.host === undefined;
}
