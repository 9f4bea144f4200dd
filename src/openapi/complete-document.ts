import type {
  ExampleObject,
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode as E, TOKEN_ERRORS, type ErrorCode } from '../common/errors/error-codes.js';
import { localise } from '../common/i18n/messages.js';
import { errorEnvelopeSchema } from '../common/swagger/api-envelope.js';
import type { RouteFacts } from './route-facts.js';

/**
 * The last step of building the OpenAPI document. Decorators describe what is special
 * about a route; what every route of a kind can answer is added here, from the same
 * metadata the guards read, so a controller cannot forget it:
 *
 * - `security`: the bearer scheme on every route behind the global access guard, an
 *   explicit `[]` on `@Public()` routes (a linter can then tell "public" from "forgot");
 * - 401 with the token errors on every authenticated route, 403 FORBIDDEN where
 *   `@RequirePermissions` put `x-permissions`;
 * - 400/413/415 on every route with a body, 400 on query parameters, 404 on path ids;
 * - 429 behind the throttler; 500 and 503 everywhere (the exception filter maps any
 *   crash and any database outage to them);
 * - each error response becomes the error envelope narrowed to its status and keys,
 *   with one example per key carrying the real English message, and the headers the
 *   filter sets (Retry-After, WWW-Authenticate, Content-Language, X-Request-Id);
 * - a `default` on an optional property of a request-only schema moves into its
 *   description (see moveRequestDefaults).
 *
 * Paths are ordered by tag, responses by status and schemas by name, so the output is byte-stable.
 */
export function completeDocument(doc: OpenAPIObject, facts: Map<string, RouteFacts>, securityScheme: string): OpenAPIObject {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      completeOperation(doc, path, op, facts.get(op.operationId ?? ''), securityScheme);
      item[method] = ordered(op, OPERATION_KEYS);
    }
  }
  moveRequestDefaults(doc);
  doc.components = {
    ...doc.components,
    schemas: sortKeys(doc.components?.schemas ?? {}),
    headers: { ...doc.components?.headers, ...HEADERS },
    ...(doc.components?.responses ? { responses: sortKeys(doc.components.responses) } : {}),
  };
  const used = new Set(Object.values(doc.paths).flatMap((item) => METHODS.flatMap((m) => item[m]?.tags ?? [])));
  const declared = (doc.tags ?? []).filter((tag) => used.has(tag.name));
  const undeclared = [...used].filter((name) => !declared.some((tag) => tag.name === name)).sort();
  doc.tags = [...declared, ...undeclared.map((name) => ({ name }))];
  // Paths in the order of their tags (a stable sort keeps each controller's own order), so
  // the document reads the same whatever order the modules are registered in.
  const tagRank = (item: PathItemObject) => {
    const tag = METHODS.map((m) => item[m]?.tags?.[0]).find(Boolean);
    const rank = doc.tags!.findIndex((t) => t.name === tag);
    return rank < 0 ? Number.MAX_SAFE_INTEGER : rank;
  };
  doc.paths = Object.fromEntries(Object.entries(doc.paths).sort(([, a], [, b]) => tagRank(a) - tagRank(b)));
  if (doc.info.contact && !Object.keys(doc.info.contact).length) delete doc.info.contact;
  return ordered(doc, ['openapi', 'info', 'servers', 'tags', 'paths', 'components']);
}

/** The keys of an operation in reading order: what it is, who may call it, what it takes, what it answers. */
const OPERATION_KEYS = [
  'tags',
  'summary',
  'description',
  'operationId',
  'x-permissions',
  'security',
  'parameters',
  'requestBody',
  'responses',
];

/** A copy of `object` with `first` keys leading, the rest after in their own order. */
function ordered<T extends object>(object: T, first: string[]): T {
  const entries = Object.entries(object);
  const rank = (key: string) => (first.includes(key) ? first.indexOf(key) : first.length);
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b))) as T;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** `@RequirePermissions` adds the codes as an extension. */
const permissionsOf = (op: OperationObject): string[] => (op as OperationObject & { 'x-permissions'?: string[] })['x-permissions'] ?? [];

/** Example values: fixed, so the document does not change from one run to the next. */
const EXAMPLE = {
  timestamp: '2025-01-01T12:00:00.000Z',
  requestId: '5b6c1f0e-3d0a-4c8e-9f55-8f2a8b1f2a10',
  params: { min: 8, seconds: 60 },
};

const ref = (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': {
    description: "The request's id: the caller's X-Request-Id when it is sane, else a new UUID. Quote it when reporting a problem.",
    schema: { type: 'string', example: EXAMPLE.requestId },
  },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', example: 60 } },
  'WWW-Authenticate': {
    description: 'The Bearer challenge of RFC 6750 §3',
    schema: { type: 'string', example: 'Bearer realm="api", error="invalid_token"' },
  },
  'Content-Language': {
    description: 'The locale of `message`, chosen by Accept-Language',
    schema: { type: 'string', enum: ['en', 'zh-CN'] },
  },
};

/** What a status means when a decorator gave only a description (e.g. ApiForbiddenResponse). */
const DEFAULT_KEY: Partial<Record<number, ErrorCode>> = {
  400: E.VALIDATION_FAILED,
  401: E.UNAUTHENTICATED,
  403: E.FORBIDDEN,
  404: E.NOT_FOUND,
  413: E.PAYLOAD_TOO_LARGE,
  415: E.UNSUPPORTED_MEDIA_TYPE,
  429: E.RATE_LIMITED,
  500: E.INTERNAL_ERROR,
  503: E.SERVICE_UNAVAILABLE,
};

const KEY_ORDER = Object.values(E);
const BEARER_KEYS = new Set<ErrorCode>(TOKEN_ERRORS);
const RETRY_KEYS = new Set<ErrorCode>([E.RATE_LIMITED, E.ACCOUNT_LOCKED, E.SERVICE_UNAVAILABLE]);

function completeOperation(doc: OpenAPIObject, path: string, op: OperationObject, facts: RouteFacts | undefined, scheme: string): void {
  // No facts would mean a route the scan did not see: document it as closed, like the guard treats it.
  const isPublic = facts?.public ?? false;
  if (!op.security) op.security = isPublic ? [] : [{ [scheme]: [] }];

  const params = (op.parameters ?? []).filter((p): p is ParameterObject => !('$ref' in p));
  const added: ErrorCode[] = [E.INTERNAL_ERROR, E.SERVICE_UNAVAILABLE];
  if (!isPublic) added.push(...TOKEN_ERRORS);
  if (permissionsOf(op).length) added.push(E.FORBIDDEN);
  if (op.requestBody) added.push(E.VALIDATION_FAILED, E.INVALID_JSON, E.PAYLOAD_TOO_LARGE, E.UNSUPPORTED_MEDIA_TYPE);
  if (params.some((p) => p.in === 'query')) added.push(E.VALIDATION_FAILED);
  if (params.some((p) => p.in === 'path')) added.push(E.NOT_FOUND);
  if (facts?.throttled) added.push(E.RATE_LIMITED);

  const statuses = new Set([...Object.keys(op.responses), ...added.map((key) => String(ERROR_STATUS[key]))]);
  const responses: Record<string, ResponseObject | ReferenceObject> = {};
  for (const status of [...statuses].sort(byStatus)) {
    const given = op.responses[status];
    const code = Number(status);
    if (given && '$ref' in given) {
      responses[status] = given;
    } else if (code >= 400) {
      const response = errorResponse(
        doc,
        path,
        op,
        code,
        given,
        added.filter((key) => ERROR_STATUS[key] === code),
      );
      if (response) responses[status] = response;
    } else if (given) {
      responses[status] = { ...given, headers: { 'X-Request-Id': ref('X-Request-Id'), ...given.headers } };
    }
  }
  op.responses = responses;
}

/**
 * Merges what the decorators said about one error status with what the route's kind
 * adds. A response with some other body (the health check's 503) is kept as it is.
 */
function errorResponse(
  doc: OpenAPIObject,
  path: string,
  op: OperationObject,
  status: number,
  given: ResponseObject | undefined,
  added: ErrorCode[],
): ResponseObject | ReferenceObject | undefined {
  const schema = given?.content?.['application/json']?.schema;
  if (schema && !isErrorEnvelope(schema)) return given;
  const declared = schema ? envelopeKeys(schema) : [];
  let keys = [...new Set([...declared, ...added])];
  if (!keys.length && DEFAULT_KEY[status]) keys = [DEFAULT_KEY[status]];
  if (!keys.length) return given;
  keys.sort((a, b) => KEY_ORDER.indexOf(a) - KEY_ORDER.indexOf(b));

  // The permissions lead a 403 (whichever decorator wrote it last); else a decorator's own words do.
  const permissions = permissionsOf(op);
  const lead =
    status === 403 && permissions.length
      ? `Requires the permission${permissions.length > 1 ? 's' : ''} ${permissions.join(', ')}. `
      : given?.description && !given.description.startsWith('error: ')
        ? `${given.description}. `
        : '';
  if (!lead) {
    const shared = sharedResponse(doc, status, keys);
    if (shared) return shared;
  }
  return errorBody(status, keys, lead, path, firstBodyField(doc, op));
}

/**
 * Error answers every operation of a kind gives alike (a bad token, a bad body, 500, 503…) are
 * written once under components/responses and referenced, so Swagger UI does not repeat the same
 * tables in every operation. An operation with words of its own (a 403's permissions) keeps its own.
 */
const SHARED: [name: string, status: number, keys: ErrorCode[]][] = [
  ['BadRequest', 400, [E.VALIDATION_FAILED, E.INVALID_JSON]],
  ['InvalidQuery', 400, [E.VALIDATION_FAILED]],
  ['Unauthorized', 401, [...TOKEN_ERRORS]],
  ['NotFound', 404, [E.NOT_FOUND]],
  ['PayloadTooLarge', 413, [E.PAYLOAD_TOO_LARGE]],
  ['UnsupportedMediaType', 415, [E.UNSUPPORTED_MEDIA_TYPE]],
  ['RateLimited', 429, [E.RATE_LIMITED]],
  ['InternalError', 500, [E.INTERNAL_ERROR]],
  ['ServiceUnavailable', 503, [E.SERVICE_UNAVAILABLE]],
];

function sharedResponse(doc: OpenAPIObject, status: number, keys: ErrorCode[]): ReferenceObject | undefined {
  const signature = [...keys].sort().join('|');
  const match = SHARED.find(([, s, k]) => s === status && [...k].sort().join('|') === signature);
  if (!match) return undefined;
  const [name] = match;
  doc.components ??= {};
  doc.components.responses ??= {};
  doc.components.responses[name] ??= errorBody(status, keys, '', `${API_PATH}/…`, 'name');
  return { $ref: `#/components/responses/${name}` };
}

const API_PATH = '/api/v1';

/** The error envelope of one status and its keys: headers, the narrowed schema, an example per key. */
function errorBody(status: number, keys: ErrorCode[], lead: string, path: string, field: string | undefined): ResponseObject {
  const headers: Record<string, ReferenceObject> = { 'X-Request-Id': ref('X-Request-Id'), 'Content-Language': ref('Content-Language') };
  if (keys.some((key) => RETRY_KEYS.has(key))) headers['Retry-After'] = ref('Retry-After');
  if (keys.some((key) => BEARER_KEYS.has(key))) headers['WWW-Authenticate'] = ref('WWW-Authenticate');
  const examples: Record<string, ExampleObject> = {};
  for (const key of keys) {
    examples[key] = {
      summary: key,
      value: {
        code: status,
        error: key,
        message: localise('en', key, EXAMPLE.params),
        ...(key === E.VALIDATION_FAILED && field
          ? { details: [{ field, code: 'invalid_type', message: `${field} must be a string`, params: { type: 'string' } }] }
          : {}),
        path,
        timestamp: EXAMPLE.timestamp,
        request_id: EXAMPLE.requestId,
      },
    };
  }
  return {
    description: `${lead}error: ${keys.join(' | ')}`,
    headers,
    content: { 'application/json': { schema: errorEnvelopeSchema(status, keys), examples } },
  };
}

function isErrorEnvelope(schema: SchemaObject | ReferenceObject): schema is SchemaObject {
  return (
    !('$ref' in schema) &&
    schema.allOf?.[0] !== undefined &&
    '$ref' in schema.allOf[0] &&
    schema.allOf[0].$ref.endsWith('/ErrorEnvelopeDto')
  );
}

function envelopeKeys(schema: SchemaObject): ErrorCode[] {
  const narrowed = schema.allOf?.[1];
  const error = narrowed && !('$ref' in narrowed) ? narrowed.properties?.error : undefined;
  const keys = error && !('$ref' in error) ? (error.enum ?? []) : [];
  return keys.filter((key): key is ErrorCode => KEY_ORDER.includes(key as ErrorCode));
}

/** The first property of the request body's schema, to make the VALIDATION_FAILED example concrete. */
function firstBodyField(doc: OpenAPIObject, op: OperationObject): string | undefined {
  const body = op.requestBody && !('$ref' in op.requestBody) ? op.requestBody.content['application/json']?.schema : undefined;
  const name = body && '$ref' in body ? body.$ref.split('/').pop() : undefined;
  const schema = name ? doc.components?.schemas?.[name] : body;
  return schema && !('$ref' in schema) ? Object.keys(schema.properties ?? {})[0] : undefined;
}

/**
 * openapi-typescript types a property with a `default` as always present (its
 * `defaultNonNullable`, on by default), which is right for a response but makes a
 * client send a field the server would default (`all_sessions`). For schemas only ever
 * sent, never received, the default is kept as words instead, so clients generated
 * with default options get an optional field.
 */
function moveRequestDefaults(doc: OpenAPIObject): void {
  const schemas = doc.components?.schemas ?? {};
  const received = new Set<string>();
  const sent = new Set<string>();
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (op.requestBody) collectRefs(op.requestBody, schemas, sent);
      collectRefs(op.responses, schemas, received);
    }
  }
  for (const name of [...sent].filter((name) => !received.has(name))) {
    const schema = schemas[name];
    if (!schema || '$ref' in schema) continue;
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      if ('$ref' in property || property.default === undefined || schema.required?.includes(key)) continue;
      const { default: value, ...rest } = property;
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      schema.properties![key] = { ...rest, description: `${rest.description ? `${rest.description}. ` : ''}Default: \`${shown}\`.` };
    }
  }
}

/** Adds the name of every component schema reachable from `node` to `into`. */
function collectRefs(node: unknown, schemas: Record<string, SchemaObject | ReferenceObject>, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, schemas, into);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!into.has(name)) {
          into.add(name);
          collectRefs(schemas[name], schemas, into);
        }
      } else {
        collectRefs(value, schemas, into);
      }
    }
  }
}

function byStatus(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? a.localeCompare(b) : 1) : -1;
  return x - y;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
