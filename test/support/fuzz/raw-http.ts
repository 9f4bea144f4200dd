import { connect } from 'node:net';

/**
 * HTTP/1.1 over a plain socket, for requests that fetch (undici) would refuse or
 * normalise: malformed percent-encoding, over-long lines, odd header bytes, broken
 * request lines. One connection per request (`Connection: close`).
 */
export interface RawResponse {
  status: number;
  /** Lower-cased names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: any;
  /** Milliseconds from connect to the end of the answer. */
  ms: number;
}

export interface RawRequest {
  method: string;
  /** The request target exactly as it goes on the wire. */
  target: string;
  headers?: [string, string][];
  body?: string | Buffer;
  /** Sends the body with `Transfer-Encoding: chunked` (in two chunks) instead of a Content-Length. */
  chunked?: boolean;
  /** Sends these bytes instead of building a request (malformed request lines). */
  wire?: Buffer | string;
  timeoutMs?: number;
}

export class RawHttpError extends Error {}

export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const wire = req.wire !== undefined ? toBuffer(req.wire) : build(hostname, port, req);
  const started = performance.now();
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err && !chunks.length) return reject(err);
      try {
        resolve({ ...parse(Buffer.concat(chunks)), ms: performance.now() - started });
      } catch (e) {
        reject(err ?? e);
      }
    };
    const timer = setTimeout(
      () => finish(new RawHttpError(`no complete answer within ${req.timeoutMs ?? 15_000} ms`)),
      req.timeoutMs ?? 15_000,
    );
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks))) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish(new RawHttpError('connection closed without an answer')));
    // The server may answer (and close) before it has read everything we send: not an error.
    socket.on('error', (err) => finish(err));
    socket.write(wire);
  });
}

function toBuffer(x: string | Buffer): Buffer {
  return typeof x === 'string' ? Buffer.from(x, 'latin1') : x;
}

function build(hostname: string, port: string, req: RawRequest): Buffer {
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const given = req.headers ?? [];
  // A Host of the test's own goes first unless the test sends one (a second Host is the test's business).
  const headers: [string, string][] = [['Host', `${hostname}:${port}`], ['Connection', 'close'], ...given];
  let payload = body;
  if (body !== undefined && req.chunked) {
    headers.push(['Transfer-Encoding', 'chunked']);
    const half = Math.floor(body.length / 2);
    const chunk = (b: Buffer) => (b.length ? [Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')] : []);
    payload = Buffer.concat([...chunk(body.subarray(0, half)), ...chunk(body.subarray(half)), Buffer.from('0\r\n\r\n')]);
  } else if (body !== undefined && !given.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))) {
    headers.push(['Content-Length', String(body.length)]);
  }
  // Header lines go out byte for byte (latin1), so a test can send any octet.
  const head = `${req.method} ${req.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');
}

function headEnd(buf: Buffer): number {
  return buf.indexOf('\r\n\r\n');
}

/** The final answer: interim 1xx answers (`100 Continue`) before it are dropped. */
function finalAnswer(buf: Buffer): Buffer {
  while (/^HTTP\/1\.[01] 1\d\d /.test(buf.subarray(0, 16).toString('latin1'))) {
    const end = headEnd(buf);
    if (end < 0) return buf;
    buf = buf.subarray(end + 4);
  }
  return buf;
}

function complete(all: Buffer): boolean {
  const buf = finalAnswer(all);
  const end = headEnd(buf);
  if (end < 0) return false;
  const head = buf.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return buf.length - end - 4 >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head))
    return (
      buf.subarray(end + 4).includes('\r\n0\r\n\r\n') ||
      buf
        .subarray(end + 4)
        .toString('latin1')
        .startsWith('0\r\n\r\n')
    );
  return /^HTTP\/1\.1 (204|304) /.test(head);
}

function parse(all: Buffer): Omit<RawResponse, 'ms'> {
  const buf = finalAnswer(all);
  const end = headEnd(buf);
  if (end < 0) throw new RawHttpError(`not an HTTP answer: ${JSON.stringify(buf.subarray(0, 200).toString('latin1'))}`);
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new RawHttpError(`bad status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let raw = buf.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) raw = dechunk(raw);
  else if (headers['content-length']) raw = raw.subarray(0, Number(headers['content-length']));
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: Number(m[1]), headers, text, body };
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
