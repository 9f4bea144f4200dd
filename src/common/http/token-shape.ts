import type { FastifyRequest } from 'fastify';

/**
 * JWT claims of RFC 7519 §4.1 (and ours, and RFC 9068's) with the JSON type they must have.
 * The signature says who made a token, not that its claims are sane: a token whose `sub`
 * is an object or whose payload is `null` made jsonwebtoken throw a TypeError and the
 * session lookup send an object as an SQL parameter — a 500 (issue #12). Such a token
 * can never be valid, whoever signed it.
 */
const STRING_CLAIMS = ['iss', 'sub', 'sid', 'jti', 'typ', 'client_id', 'scope', 'kid', 'alg'];
const NUMBER_CLAIMS = ['exp', 'nbf', 'iat'];

/** What a malformed token is replaced with: a JWT no key verifies, so it is INVALID_TOKEN. */
export const MALFORMED_TOKEN = 'malformed.token.x';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined; // not JSON: jsonwebtoken refuses it as it should
  }
}

/**
 * False for a compact JWS whose header or payload decodes to JSON that is not an object,
 * or whose registered claims have the wrong type. Anything else (not three parts, not
 * JSON at all) is left to the verifier, which already refuses it cleanly.
 */
export function hasSaneClaims(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return true;
  const header = decodePart(parts[0]);
  const payload = decodePart(parts[1]);
  if (header === undefined || payload === undefined) return true;
  if (!isPlainObject(header) || !isPlainObject(payload)) return false;
  for (const claims of [header, payload]) {
    for (const name of STRING_CLAIMS) if (name in claims && typeof claims[name] !== 'string') return false;
    for (const name of NUMBER_CLAIMS)
      if (name in claims && (typeof claims[name] !== 'number' || !Number.isFinite(claims[name]))) return false;
  }
  if (
    'aud' in payload &&
    typeof payload.aud !== 'string' &&
    !(Array.isArray(payload.aud) && payload.aud.every((a) => typeof a === 'string'))
  )
    return false;
  return true;
}

const BEARER = /^\s*(\S+)\s+(\S+)/;

/**
 * A `preValidation` hook (after the body is parsed, before Nest's guards): a bearer token
 * in `Authorization` or a body's `refresh_token` whose claims are not sane is replaced by
 * MALFORMED_TOKEN, so the guards answer 401 INVALID_TOKEN as for any malformed token and
 * public routes, which never read it, answer as before. Results are remembered per token
 * (a client sends the same one many times), at most `limit` of them.
 */
export function tokenShapeHook(limit = 10_000) {
  const checked = new Map<string, boolean>();
  const sane = (token: string): boolean => {
    let ok = checked.get(token);
    if (ok === undefined) {
      ok = hasSaneClaims(token);
      if (checked.size >= limit) checked.clear();
      checked.set(token, ok);
    }
    return ok;
  };
  return (request: FastifyRequest, _reply: unknown, done: () => void): void => {
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string') {
      const match = BEARER.exec(authorization);
      if (match && match[1].toLowerCase() === 'bearer' && !sane(match[2])) request.headers.authorization = `Bearer ${MALFORMED_TOKEN}`;
    }
    const body = request.body as Record<string, unknown> | undefined;
    if (isPlainObject(body) && typeof body.refresh_token === 'string' && !sane(body.refresh_token)) body.refresh_token = MALFORMED_TOKEN;
    done();
  };
}
