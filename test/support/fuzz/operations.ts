/**
 * The operations of the OpenAPI document, in the shape the fuzzer generates requests
 * from. Whatever the document holds is taken; what the fuzzer cannot generate yet (a
 * header or cookie parameter, a body media type it does not know) stops the test with
 * a message, so a new operation is never skipped silently.
 */
export type Schema = Record<string, any>;
export type IdKind = 'user' | 'role' | 'permission' | 'session' | 'key' | 'client' | 'other';
export type BodyMedia = 'application/json' | 'application/x-www-form-urlencoded';

export interface Operation {
  id: string;
  method: string;
  /** The path template, `{name}` for each path parameter. */
  path: string;
  pathParams: { name: string; kind: IdKind }[];
  query: { name: string; required: boolean; schema: Schema }[];
  body?: { required: boolean; media: BodyMedia; schema: Schema };
  /** Needs a bearer token. */
  secured: boolean;
  /** Documented by the document (false for the extra routes below). */
  documented: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Header and cookie parameters that generators.ts (`extraHeader`) already sends to every route, good and hostile. */
const FUZZED_ON_EVERY_ROUTE = new Set(['header X-Token-Delivery', 'header X-CSRF-Token', 'cookie authcentre_rt']);
const KINDS: Record<string, IdKind> = {
  users: 'user',
  roles: 'role',
  permissions: 'permission',
  sessions: 'session',
  'signing-keys': 'key',
  clients: 'client',
};

export function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<Schema>(item)) {
      if (!METHODS.includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) throw new Error(`${where} has no operationId`);
      const params: Schema[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => resolve(doc, p));
      const pathParams = params
        .filter((p) => p.in === 'path')
        .map((p) => {
          const before = path.split(`{${p.name}}`)[0].split('/').filter(Boolean).pop() ?? '';
          return { name: p.name as string, kind: KINDS[before] ?? 'other' };
        });
      for (const name of path.match(/\{([^}]+)\}/g) ?? []) {
        if (!pathParams.some((p) => `{${p.name}}` === name)) throw new Error(`${where}: path parameter ${name} is not declared`);
      }
      const unsupported = params.filter((p) => p.in !== 'path' && p.in !== 'query' && !FUZZED_ON_EVERY_ROUTE.has(`${p.in} ${p.name}`));
      if (unsupported.length) {
        throw new Error(
          `${where} has ${unsupported.map((p) => `${p.in} parameter ${p.name}`).join(', ')}: teach test/support/fuzz/generators.ts to fuzz it`,
        );
      }
      let body: Operation['body'];
      if (op.requestBody) {
        const requestBody = resolve(doc, op.requestBody);
        const medias = Object.keys(requestBody.content ?? {});
        const media = medias.find((m): m is BodyMedia => m === 'application/json' || m === 'application/x-www-form-urlencoded');
        if (!media || medias.length !== 1)
          throw new Error(`${where} takes ${medias.join(', ')}: teach test/support/fuzz/generators.ts to fuzz it`);
        body = { required: Boolean(requestBody.required), media, schema: requestBody.content[media].schema ?? {} };
      }
      const security = op.security ?? doc.security ?? [];
      ops.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        pathParams,
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: Boolean(p.required), schema: p.schema ?? {} })),
        body,
        secured: security.some((s: Schema) => Object.keys(s).length > 0),
        documented: true,
      });
    }
  }
  return ops;
}

/** Routes the document does not describe, fuzzed as well: the docs, and paths nobody serves. */
export const EXTRA_OPERATIONS: Operation[] = [
  ['docs_ui', '/docs'],
  ['docs_ui_slash', '/docs/'],
  ['docs_json', '/docs-json'],
  ['docs_yaml', '/docs-yaml'],
  ['docs_asset', '/docs/swagger-ui.css'],
  ['unknown_api', '/api/v1/{rest}'],
  // The hosted pages (docs/api.md §10) and their stylesheet: HTML, never a 5xx.
  ['interaction_page', '/oauth2/interaction/{rest}'],
  ['interaction_form', '/oauth2/interaction/{rest}/login', 'POST'],
  ['pages_css', '/assets/pages.css'],
  // The account pages mailed links open (docs/api.md §3, §12).
  ['reset_page', '/reset-password'],
  ['reset_form', '/reset-password', 'POST'],
  ['forgot_page', '/forgot-password'],
  ['forgot_form', '/forgot-password', 'POST'],
  ['verify_page', '/verify-email'],
  ['verify_form', '/verify-email', 'POST'],
  ['unknown_root', '/{rest}'],
].map(([id, path, method = 'GET']) => ({
  id,
  method,
  path,
  pathParams: path.includes('{rest}') ? [{ name: 'rest', kind: 'other' as const }] : [],
  query: [],
  secured: false,
  documented: false,
}));

/** `$ref` and `allOf` resolved into one schema (properties and required merged). */
export function resolve(doc: Schema, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 32; i++) {
    const target = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: Schema | undefined, key: string) => node?.[key], doc);
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    s = target;
  }
  if (!s.allOf) return s;
  const merged: Schema = { type: 'object', properties: {}, required: [] };
  for (const part of s.allOf.map((member: Schema) => resolve(doc, member))) {
    Object.assign(merged.properties, part.properties ?? {});
    merged.required = [...new Set([...merged.required, ...(part.required ?? [])])];
  }
  return merged;
}
