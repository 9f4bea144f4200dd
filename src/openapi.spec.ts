import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { OpenAPIObject, OperationObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, ErrorCode as E, TOKEN_ERRORS, type ErrorCode } from './common/errors/error-codes.js';
import { generateOpenApiDocument, renderOpenApi } from './openapi-document.js';

/**
 * The document clients generate from: committed, lint-clean, and complete for every
 * operation. Built in-process the way `npm run openapi` builds it (preview mode, no
 * database), so it needs no build and no server.
 */

interface Operation extends OperationObject {
  'x-permissions'?: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const isRef = (value: object): value is ReferenceObject => '$ref' in value;

function operations(doc: OpenAPIObject): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [{ method, path, op: item[method] as Operation }] : [])),
  );
}

/** The document under test (set before the tests run), for following response $refs. */
let shared: Record<string, ResponseObject | ReferenceObject> = {};

/** A response, or the shared one (components/responses) it refers to. */
function resolved(response: ResponseObject | ReferenceObject | undefined): ResponseObject | undefined {
  if (response && isRef(response)) return resolved(shared[response.$ref.replace('#/components/responses/', '')]);
  return response;
}

/** The error keys a response documents, read from its narrowed envelope schema. */
function errorKeys(reference: ResponseObject | ReferenceObject | undefined): string[] {
  const response = resolved(reference);
  if (!response) return [];
  const schema = response.content?.['application/json']?.schema;
  const narrowed = schema && !isRef(schema) ? schema.allOf?.[1] : undefined;
  const error = narrowed && !isRef(narrowed) ? narrowed.properties?.error : undefined;
  return error && !isRef(error) ? ((error.enum ?? []) as string[]) : [];
}

/** The first line where two texts part, so a stale document fails with something readable. */
function firstDifference(a: string, b: string): string {
  const [x, y] = [a.split('\n'), b.split('\n')];
  const line = x.findIndex((text, i) => text !== y[i]);
  const at = line === -1 ? x.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(x[at] ?? '<end>')}, generated ${JSON.stringify(y[at] ?? '<end>')}`;
}

describe('the OpenAPI document', () => {
  let doc: OpenAPIObject;
  let generated: string;

  beforeAll(async () => {
    doc = await generateOpenApiDocument();
    generated = renderOpenApi(doc);
    shared = doc.components?.responses ?? {};
  });

  it('is committed as openapi.json, up to date', () => {
    const stale = 'openapi.json differs from the routes and DTOs: run `npm run openapi` and commit openapi.json';
    expect(existsSync('openapi.json'), `openapi.json is missing: run \`npm run openapi\``).toBe(true);
    const committed = readFileSync('openapi.json', 'utf8');
    expect(committed === generated, `${stale} (${firstDifference(committed, generated)})`).toBe(true);
  });

  it('comes out byte-identical on a second run (no timestamps, stable order)', async () => {
    expect(renderOpenApi(await generateOpenApiDocument())).toBe(generated);
  });

  it('passes Redocly lint with the recommended rules: no error, no warning', () => {
    // The CLI reads redocly.yaml and .redocly.lint-ignore.yaml, exactly as `npm run lint:openapi` does.
    const run = spawnSync('node_modules/.bin/redocly', ['lint', '--format=json'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined();
    const report = JSON.parse(run.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(run.status).toBe(0);
  });

  it('names every operation <controller>_<method>, uniquely', () => {
    const ids = operations(doc).map(({ op }) => op.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['auth_register', 'auth_login', 'auth_refresh', 'auth_logout', 'me_get', 'me_change_password']),
    );
  });

  it('gives every operation a summary and one declared, described module tag', () => {
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    for (const { method, path, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.summary?.trim(), where).toBeTruthy();
      expect(op.tags, where).toHaveLength(1);
      expect(declared.get(op.tags![0]), `${where}: tag ${op.tags![0]} is not declared with a description`).toBeTruthy();
    }
  });

  it('types `data` inside the success envelope on every /api/v1 operation', () => {
    for (const { method, path, op } of operations(doc).filter(({ path }) => path.startsWith('/api/v1/'))) {
      const where = `${method.toUpperCase()} ${path}`;
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect(success, where).toHaveLength(1);
      const response = success[0][1] as ResponseObject;
      const schema = response.content?.['application/json']?.schema as SchemaObject;
      expect(schema.allOf?.[0], where).toEqual({ $ref: '#/components/schemas/SuccessEnvelopeDto' });
      const wrapper = schema.allOf?.[1] as SchemaObject;
      expect(wrapper.required, where).toEqual(['data']);
      expect(wrapper.properties?.data, where).toBeDefined();
    }
  });

  it('documents every error as the error envelope with its keys, an example per key, and 500/503', () => {
    for (const { method, path, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(errorKeys(op.responses['500']), where).toEqual([E.INTERNAL_ERROR]);
      for (const [status, response] of Object.entries(op.responses).filter(([status]) => Number(status) >= 400)) {
        // The readiness probe's 503 is Terminus' own report, not the envelope.
        if (op.operationId === 'health_ready' && status === '503') continue;
        const keys = errorKeys(response);
        expect(keys.length, `${where} ${status}`).toBeGreaterThan(0);
        for (const key of keys) expect(ERROR_STATUS[key as ErrorCode], `${where} ${status} ${key}`).toBe(Number(status));
        const examples = resolved(response)!.content!['application/json'].examples ?? {};
        expect(Object.keys(examples), `${where} ${status}`).toEqual(keys);
      }
    }
  });

  it('adds security, token errors, 403, body errors and 429 from what the guards and pipes do', () => {
    for (const { method, path, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.security, where).toBeDefined();
      if (op.security!.length) {
        expect(errorKeys(op.responses['401']), where).toEqual(expect.arrayContaining([...TOKEN_ERRORS]));
        expect(resolved(op.responses['401'])!.headers, where).toHaveProperty('WWW-Authenticate');
      }
      if (op['x-permissions']?.length) expect(errorKeys(op.responses['403']), where).toContain(E.FORBIDDEN);
      if (op.requestBody) {
        expect(errorKeys(op.responses['400']), where).toEqual(expect.arrayContaining([E.VALIDATION_FAILED, E.INVALID_JSON]));
        expect(errorKeys(op.responses['413']), where).toEqual([E.PAYLOAD_TOO_LARGE]);
        expect(errorKeys(op.responses['415']), where).toEqual([E.UNSUPPORTED_MEDIA_TYPE]);
      }
    }
    const byId = new Map(operations(doc).map(({ op }) => [op.operationId, op]));
    // Public and throttled; refresh is public to the access guard, skips the throttler, and takes a refresh token.
    expect(byId.get('auth_login')?.security).toEqual([]);
    expect(errorKeys(byId.get('auth_login')?.responses['429'])).toEqual([E.RATE_LIMITED]);
    expect(byId.get('auth_refresh')?.responses['429']).toBeUndefined();
    expect(byId.get('auth_refresh')?.security).toEqual([{ bearer: [] }]);
    expect(byId.get('me_get')?.security).toEqual([{ bearer: [] }]);
    expect(byId.get('health_live')?.security).toEqual([]);
  });

  it('writes the error answers operations share once, and refers to them', () => {
    expect(Object.keys(shared)).toEqual(
      expect.arrayContaining(['BadRequest', 'Unauthorized', 'NotFound', 'InternalError', 'ServiceUnavailable', 'RateLimited']),
    );
    const refs = operations(doc).flatMap(({ op }) =>
      Object.values(op.responses).filter((r): r is ReferenceObject => Boolean(r) && isRef(r!)),
    );
    expect(refs.length).toBeGreaterThan(operations(doc).length * 2);
    for (const ref of refs) expect(resolved(ref), ref.$ref).toBeDefined();
    // A 403 names the permissions it needs, so it stays with its operation.
    const guarded = operations(doc).find(({ op }) => op['x-permissions']?.length);
    expect(isRef(guarded!.op.responses['403']!)).toBe(false);
  });
});
