import fc from 'fast-check';
import { resolve, type IdKind, type Operation, type Schema } from './operations.js';

/**
 * fast-check arbitraries for whole HTTP requests, built from the OpenAPI operations:
 * mostly well-formed values (so requests get past validation and reach the handlers),
 * mixed with hostile ones — types, keys, encodings, content types, query strings,
 * path ids, headers and tokens.
 */

export type AuthState =
  'anonymous' | 'user' | 'admin' | 'refresh_as_access' | 'expired' | 'alg_none' | 'wrong_key' | 'tampered' | 'odd_claims' | 'garbage';

export interface FuzzRequest {
  op: string;
  auth: AuthState;
  /** Which token of the state's list, and how the Authorization header is spelt. */
  token: number;
  scheme: number;
  method: string;
  target: string;
  headers: [string, string][];
  body?: string;
  /** How the body string becomes bytes: latin1 sends arbitrary octets (invalid UTF-8). */
  encoding?: 'utf8' | 'latin1' | 'utf16le';
  chunked?: boolean;
  /**
   * Body properties or query parameters sent that the operation does not declare: the
   * contract refuses them (400), so a 2xx answer to this request is a failure.
   */
  undeclared?: string[];
}

export interface FuzzWorld {
  /** Ids the fuzzer may change or delete: never the accounts and system data the test needs. */
  victims: Record<IdKind, string[]>;
  /** Role and permission ids that may appear inside bodies (any of them: granting is legal for an admin). */
  roleIds: number[];
  permissionIds: number[];
  /** Tokens that may appear inside bodies (`refresh_token`, `token`): a victim's, spent ones, garbage. */
  bodyTokens: string[];
}

export const AUTH_SCHEMES: ((token: string) => string | undefined)[] = [
  (t) => `Bearer ${t}`,
  (t) => `bearer ${t}`,
  (t) => `Bearer  ${t}`,
  (t) => t,
  (t) => `Basic ${Buffer.from(`admin:${t.slice(0, 20)}`).toString('base64')}`,
  (t) => `Bearer ${t}, Bearer ${t}`,
  (t) => `Bearer\t${t}`,
  () => 'Bearer',
  () => 'Bearer ',
];

/** Strings that broke, or could break, something somewhere. Never a real account's name or password. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  "' OR '1'='1",
  "admin'--",
  '"; DROP TABLE users; --',
  '1; SELECT pg_sleep(10)',
  "' UNION SELECT password_hash FROM users --",
  '%',
  '%%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '#{7*7}',
  '\u202eevil\u202c',
  '\u200f\u200e\u200b',
  '\ufeff',
  '\ufffd\ufffe\uffff',
  'e\u0301\u0301\u0301\u0301\u0301',
  'Z\u0351\u0358\u035b\u0308\u0301\u0344',
  '😀👨‍👩‍👧‍👦🏳️‍🌈',
  '𝕒𝕕𝕞𝕚𝕟',
  'İı',
  'ß',
  'ﬀ',
  '＠example．com',
  '\r\n',
  '\u2028\u2029',
  '\u0085',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e308',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'ADMIN',
  'SUPER_ADMIN',
  'USER',
  'user:read',
  '+8613800138000',
  '13800138000',
  '+999999999999999999999',
  '+',
  'user@example.com',
  ' USER@EXAMPLE.COM ',
  'a@b',
  '@',
  'a@',
  '@b.c',
  `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.com`,
  `${'a'.repeat(300)}@example.com`,
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://127.0.0.1:22/',
  'http://[::1]/',
  'https://example.com/?a=%zz',
  'file:///etc/passwd',
  `https://example.com/${'x'.repeat(600)}`,
  '2026-02-30T25:61:61Z',
  '0000-00-00',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  'a'.repeat(129),
  'a'.repeat(4097),
  'x'.repeat(20_000),
];

/** JSON texts of numbers and literals that JSON.stringify cannot make (1e400 parses to Infinity). */
const RAW_JSON = [
  '1e400',
  '-1e400',
  '-0',
  '1'.repeat(400),
  '0.1e-400',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '1.5',
  '-1',
  '0',
  '1e3',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const oddString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.tuple(fc.string({ maxLength: 6 }), loneSurrogate, fc.string({ maxLength: 6 })).map(([a, b, c]) => a + b + c),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
);

/** A JSON text of any type: what a value of the wrong kind looks like. */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: oddString.map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_JSON) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('true', 'false', 'null', '[]', '{}', '[null]', '[[]]', '{"":""}', '[1,2,3]', '{"a":{"b":{"c":1}}}'),
  },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 40 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  { weight: 1, arbitrary: fc.array(oddString, { maxLength: 4 }).map((a) => JSON.stringify(a)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => JSON.stringify(n)) },
);

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype);
/** Keys a client should never be able to set, and keys that trip parsers and validators. */
const SUSPICIOUS_KEYS = [
  ...PROTO_KEYS,
  'prototype',
  'roles',
  'role',
  'role_ids',
  'is_system',
  'isSystem',
  'password_hash',
  'passwordHash',
  'id',
  'status',
  'deleted',
  'deleted_at',
  'failed_attempts',
  'permissions',
  'user_id',
  'sub',
  '',
  ' ',
  'a.b',
  'a[b]',
  '$where',
  '$ne',
];
const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SUSPICIOUS_KEYS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: loneSurrogate },
);

/** Whole bodies that are not what any route takes. */
const deep = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);
const WHOLE_BODIES: [string, FuzzRequest['encoding']?][] = [
  [''],
  [' '],
  ['null'],
  ['true'],
  ['0'],
  ['"x"'],
  ['[]'],
  ['[{}]'],
  ['{'],
  ['{"a":'],
  ['{}}'],
  ['{"a":1,}'],
  ["{'a':1}"],
  ['undefined'],
  ['NaN'],
  ['\ufeff{}'],
  ['{"a":1}garbage'],
  ['{"a":"\\x"}'],
  ['{"a":"\\ud800"}'],
  ['{"\\ud800":1}'],
  ['{"a":"\\u0000"}'],
  ['{"a":1,"a":2}'],
  ['{"__proto__":{"isAdmin":true}}'],
  ['{"constructor":{"prototype":{"isAdmin":true}}}'],
  [deep(33)],
  [deep(2000)],
  [deep(20_000, '{"a":', '}').replace(/}$/, '1}')],
  [deep(49_000)],
  [`{"a":"${'x'.repeat(120 * 1024)}"}`],
  [`[${'1,'.repeat(30_000)}1]`],
  [`{${Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',')}}`],
  ['1'.repeat(5000)],
  ['{"username":"\xC0\xAF","password":"\xED\xA0\x80"}', 'latin1'],
  ['\xFF\xFE{\x00}\x00', 'latin1'],
  ['{"a":"\xF8\x88\x80\x80\x80"}', 'latin1'],
  ['{"username":"admin","password":"x"}', 'utf16le'],
];

/** A form body, for routes that take application/x-www-form-urlencoded. */
function formBody(entries: [string, string][]): string {
  return entries.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
}

/** Percent-encodes the UTF-8 bytes of a string (a lone surrogate becomes EF BF BD, as a browser sends it). */
export function pct(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const PASSWORDS = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9!#%&*+-]{12,24}$/),
  fc.constantFrom('password', '12345678', 'Passw0rd!', 'x', ''),
  fc.string({ minLength: 8, maxLength: 40 }),
);

/** A value the schema accepts (as far as the schema says), for `name`. */
export function validValue(doc: Schema, raw: Schema, name: string, world: FuzzWorld, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  const example = schema.example !== undefined ? [fc.constant(schema.example)] : [];
  const nullable = schema.nullable ? [fc.constant(null)] : [];
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'string': {
      let base: fc.Arbitrary<unknown>;
      if (/password/.test(name)) base = PASSWORDS;
      else if (schema.format === 'email' || /email/.test(name))
        base = fc.oneof(fc.emailAddress(), fc.constantFrom('fuzz@example.com', 'Fuzz.Case@Example.COM'));
      else if (schema.format === 'uuid' || /_id$/.test(name))
        base = fc.oneof(fc.uuid(), ...(world.victims.user.length ? [fc.constantFrom(...world.victims.user)] : []));
      else if (schema.format === 'date-time' || name === 'from' || name === 'to')
        base = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      else if (/phone/.test(name))
        base = fc.oneof(
          fc.constantFrom('+8613800138000', '13800138000', '+14155550100', '138 0013 8000'),
          fc.stringMatching(/^\+?[0-9]{6,15}$/),
        );
      // https: the one scheme every URL field takes (redirect URIs take http on loopback only).
      else if (/avatar|url|uri/.test(name)) base = fc.webUrl({ validSchemes: ['https'] });
      else if (/token/.test(name))
        base = world.bodyTokens.length ? fc.constantFrom(...world.bodyTokens) : fc.base64String({ maxLength: 64 });
      else if (schema.pattern) base = fc.stringMatching(new RegExp(schema.pattern));
      else base = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
      return fc.oneof(base, ...example, ...nullable);
    }
    case 'integer':
    case 'number': {
      const ids = name === 'role_ids' ? world.roleIds : name === 'permission_ids' ? world.permissionIds : [];
      const bounded = fc.integer({
        min: Math.max(schema.minimum ?? -1000, -2_147_483_648),
        max: Math.min(schema.maximum ?? 1_000_000, 2_147_483_647),
      });
      return fc.oneof(bounded, ...(ids.length ? [fc.constantFrom(...ids)] : []), ...example, ...nullable);
    }
    case 'boolean':
      return fc.oneof(fc.boolean(), ...nullable);
    case 'array': {
      const ids = name === 'role_ids' ? world.roleIds : name === 'permission_ids' ? world.permissionIds : [];
      const items = ids.length ? fc.constantFrom(...ids) : validValue(doc, schema.items ?? {}, name, world, depth + 1);
      return fc.oneof(fc.uniqueArray(items, { maxLength: Math.min(schema.maxItems ?? 4, 4) }), ...example, ...nullable);
    }
    case 'object': {
      if (depth > 3) return fc.constant({});
      const props = Object.entries<Schema>(schema.properties ?? {});
      return fc.record(Object.fromEntries(props.map(([key, s]) => [key, validValue(doc, s, key, world, depth + 1)])), {
        requiredKeys: schema.required ?? [],
      });
    }
    default:
      if (schema.additionalProperties || type === undefined)
        return fc.oneof(
          fc.json({ maxDepth: 2 }).map((t) => JSON.parse(t)),
          ...example,
        );
      throw new Error(`the fuzzer cannot make a value of schema type ${String(type)} (${name}): teach test/support/fuzz/generators.ts`);
  }
}

/** One property of a body: usually a valid value, sometimes anything else, sometimes left out. */
function propertyText(doc: Schema, name: string, schema: Schema, required: boolean, world: FuzzWorld): fc.Arbitrary<string | undefined> {
  const valid = validValue(doc, schema, name, world).map((v) => JSON.stringify(v));
  return fc.oneof(
    { weight: required ? 18 : 8, arbitrary: valid },
    { weight: required ? 1 : 8, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: hostileJson },
  );
}

/** The body of an operation as text (JSON or form), or undefined for none. */
function bodyArb(doc: Schema, op: Operation, world: FuzzWorld): fc.Arbitrary<Pick<FuzzRequest, 'body' | 'encoding' | 'undeclared'>> {
  const schema = op.body ? resolve(doc, op.body.schema) : { type: 'object', properties: {} };
  const props = Object.entries<Schema>(schema.properties ?? {});
  const required = new Set<string>(schema.required ?? []);
  const entries = fc.tuple(
    fc.tuple(...props.map(([name, s]) => propertyText(doc, name, s, required.has(name), world).map((text) => [name, text] as const))),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(keyArb, hostileJson), { minLength: 1, maxLength: 2 }) },
    ),
  );
  const names = new Set(props.map(([name]) => name));
  const object = entries.map(([declared, extra]) => {
    const all = [...declared.filter((e): e is readonly [string, string] => e[1] !== undefined), ...extra];
    // Only a route that takes a body promises to refuse what it does not declare.
    const undeclared = op.body ? extra.map(([k]) => k).filter((k) => !names.has(k)) : [];
    const marked = undeclared.length ? { undeclared } : {};
    if (op.body?.media === 'application/x-www-form-urlencoded') {
      return { body: formBody(all.map(([k, v]) => [k, String(safeParse(v))])), ...marked };
    }
    return { body: `{${all.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`, ...marked };
  });
  const whole = fc.constantFrom(...WHOLE_BODIES).map(([body, encoding]) => ({ body, ...(encoding ? { encoding } : {}) }));
  const none = fc.constant({});
  // The document's own example of every property at once: a body whose parts fit together
  // (a client's type, grants and redirect URIs), which independent random parts rarely do.
  const exampled = props.filter(([, p]) => resolve(doc, p).example !== undefined);
  const documented =
    op.body?.media !== 'application/x-www-form-urlencoded' && exampled.length && [...required].every((r) => exampled.some(([n]) => n === r))
      ? [
          {
            weight: 2,
            arbitrary: fc.constant({ body: JSON.stringify(Object.fromEntries(exampled.map(([n, p]) => [n, resolve(doc, p).example]))) }),
          },
        ]
      : [];
  if (op.body)
    return fc.oneof(
      { weight: op.body.required ? 1 : 2, arbitrary: none },
      { weight: 14, arbitrary: object },
      { weight: 3, arbitrary: whole },
      ...documented,
    );
  return fc.oneof({ weight: 12, arbitrary: none }, { weight: 1, arbitrary: object }, { weight: 1, arbitrary: whole });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One query parameter: a valid value, a hostile one, repeated, bracketed or malformed. */
function queryPart(doc: Schema, name: string, schema: Schema, required: boolean, world: FuzzWorld): fc.Arbitrary<string | undefined> {
  const valid = validValue(doc, schema, name, world).map((v) => `${pct(name)}=${pct(String(v))}`);
  return fc.oneof(
    { weight: required ? 1 : 10, arbitrary: fc.constant(undefined) },
    { weight: 10, arbitrary: valid },
    { weight: 3, arbitrary: oddString.map((v) => `${pct(name)}=${pct(v)}`) },
    { weight: 1, arbitrary: fc.tuple(valid, valid).map(([a, b]) => `${a}&${b}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${name}[]=1`,
        `${name}[a]=1`,
        `${name}`,
        `${name}=`,
        `${name}=%zz`,
        `${name}=%E0%A4%A`,
        `${name}=%00`,
        `${name}=%ED%A0%80`,
        `${name}=a%26b%3Dc`,
      ),
    },
  );
}

const extraQuery = fc.oneof(
  fc.constantFrom(
    ...PROTO_KEYS.map((k) => `${k}=1`),
    '=',
    '&&&',
    '==',
    'a=1;b=2',
    '%zz=1',
    '%E0=1',
    'a[b][c]=1',
    `q=${'x'.repeat(3000)}`,
    `${'k'.repeat(500)}=1`,
  ),
  fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), oddString).map(([k, v]) => `${pct(k)}=${pct(v)}`),
);

/** The keys of a query string as the server reads them (fast-querystring: `+` is a space, bad escapes stay). */
function queryKeys(query: string): string[] {
  return query
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const raw = part.split('=')[0].replace(/\+/g, ' ');
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    });
}

function queryArb(doc: Schema, op: Operation, world: FuzzWorld): fc.Arbitrary<{ query: string; undeclared: string[] }> {
  const names = new Set(op.query.map((q) => q.name));
  return fc
    .tuple(
      fc.tuple(...op.query.map((q) => queryPart(doc, q.name, q.schema, q.required, world))),
      fc.oneof(
        { weight: 8, arbitrary: fc.constant<string[]>([]) },
        { weight: 1, arbitrary: fc.array(extraQuery, { minLength: 1, maxLength: 3 }) },
      ),
    )
    .map(([parts, extra]) => {
      const all = [...parts.filter((p): p is string => p !== undefined), ...extra];
      const query = all.length ? `?${all.join('&')}` : '';
      // Only a route that reads a query promises to refuse parameters it does not declare.
      const undeclared = names.size ? queryKeys(all.join('&')).filter((k) => !names.has(k)) : [];
      return { query, undeclared };
    });
}

const HOSTILE_IDS = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '%201',
  'abc',
  'null',
  'undefined',
  'me',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  '%zz',
  '%E0%A4%A',
  '%',
  '%00',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '9'.repeat(12),
  '2147483648',
  'a'.repeat(101),
  'a'.repeat(5000),
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '{id}',
  ':id',
  '*',
  '%27%20OR%201%3D1',
];

/** `«user#3»` in a target: the victim in that slot when the request is sent (victims are replaced as they are deleted). */
export const VICTIM_SLOT = /«(\w+)#(\d+)»/gi;

/**
 * A path id: a victim's slot, a random one, or a hostile one — never a small integer
 * (system roles and permissions) nor an account the test needs.
 */
function pathIdArb(kind: IdKind, world: FuzzWorld): fc.Arbitrary<string> {
  const hasVictims = (world.victims[kind] ?? []).length > 0;
  const random = kind === 'role' || kind === 'permission' ? fc.integer({ min: 100_000, max: 2_147_483_647 }).map(String) : fc.uuid();
  return fc.oneof(
    { weight: hasVictims ? 6 : 0, arbitrary: fc.nat({ max: 99 }).map((i) => `«${kind}#${i}»`) },
    { weight: 3, arbitrary: random },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_IDS).map((id) => (isSmallId(id) ? '1000000001' : id)) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 16 })
        .map(pct)
        .map((id) => (isSmallId(id) ? '1000000001' : id)),
    },
  );
}

function isSmallId(id: string): boolean {
  let decoded = id;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    /* stays as is */
  }
  return /^\s*\+?0*[1-9]\d{0,4}\s*$/.test(decoded);
}

const PATH_MUTATIONS: ((path: string) => string)[] = [
  (p) => `${p}/`,
  (p) => p.replace(/\//g, '//'),
  (p) => p.toUpperCase(),
  (p) => p.replace('/api/v1/', '/api/v1/./'),
  (p) => p.replace('/api/v1/', '/api/v2/../v1/'),
  (p) => p.replace(/\/([^/]*)$/, '%2F$1'),
  (p) => `${p};jsessionid=1`,
  (p) => `${p}%00`,
  (p) => `${p}#frag`,
  (p) => `${p}/${'x'.repeat(200)}`,
];

const OTHER_METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'SEARCH',
  'PURGE',
  'CONNECT',
  'LOCK',
];

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;',
  'application/json, text/plain',
  'application/jsonx',
  'application/ld+json',
  'application/problem+json',
  'text/json',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/xml',
  'application/octet-stream',
  '*/*',
  '',
  ';',
  'application/json; boundary=',
  `application/json; ${'a=b;'.repeat(300)}`,
  '\u00ff/\u00ff',
];

const headerValue = (s: string) => s.replace(/[\r\n]/g, '');

const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constant('Accept-Language'),
    fc.constantFrom('zh-CN', 'en', '*', 'fr-FR', 'zh;q=abc', 'en;q=0', `${'en,'.repeat(1000)}zh`, 'q=1', ';;;', '\u00ff'),
  ),
  fc.tuple(
    fc.constant('X-Request-Id'),
    fc.oneof(
      fc.uuid(),
      fc.constantFrom('', 'x y', 'a'.repeat(200), '../x', '<script>', 'trace-123', '\u00e9'),
      fc.string({ maxLength: 20 }),
    ),
  ),
  fc.tuple(
    fc.constant('X-Forwarded-For'),
    fc.constantFrom('1.2.3.4', '1.2.3.4, 5.6.7.8', 'not-an-ip', '::1', '999.999.999.999', "'; DROP TABLE x", 'a'.repeat(500)),
  ),
  fc.tuple(fc.constant('Origin'), fc.constantFrom('https://evil.example', 'null', 'file://', '*')),
  fc.tuple(fc.constant('Cookie'), fc.constantFrom('authcentre_rt=x', 'a=b; c', '=;=;=', `x=${'y'.repeat(3000)}`)),
  fc.tuple(fc.constant('User-Agent'), fc.oneof(fc.constantFrom('', 'x'.repeat(4000), '<script>'), fc.string({ maxLength: 40 }))),
  fc.tuple(fc.constant('Accept'), fc.constantFrom('*/*', 'application/xml', 'text/html', 'application/json;q=0', 'garbage')),
  fc.tuple(fc.constant('Content-Encoding'), fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-garbage')),
  fc.tuple(fc.constant('X-HTTP-Method-Override'), fc.constantFrom('DELETE', 'PUT', 'GET')),
  fc.tuple(fc.constant('X-Token-Delivery'), fc.constantFrom('cookie', 'body', '', 'jar')),
  fc.tuple(fc.constant('X-CSRF-Token'), fc.constantFrom('x', '')),
  fc.tuple(fc.constant('Range'), fc.constantFrom('bytes=0-1', 'bytes=-1', 'bytes=9999999-', 'garbage')),
  fc.tuple(fc.constant('If-None-Match'), fc.constantFrom('*', '"x"', 'W/"y"')),
  fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', 'nonsense')),
  fc.tuple(fc.constant('Host'), fc.constantFrom('evil.example', '', 'a'.repeat(300))),
  fc.tuple(fc.constant('Forwarded'), fc.constantFrom('for=1.2.3.4', 'for="[::1]";proto=https', ';;')),
  fc.tuple(
    fc.string({ minLength: 1, maxLength: 12 }).map((n) => n.replace(/[^A-Za-z0-9-]/g, '') || 'X-Odd'),
    fc.string({ maxLength: 30 }),
  ),
);

const AUTH_STATES: [AuthState, number][] = [
  ['anonymous', 14],
  ['user', 16],
  ['admin', 22],
  ['refresh_as_access', 4],
  ['expired', 3],
  ['alg_none', 3],
  ['wrong_key', 3],
  ['tampered', 3],
  ['odd_claims', 5],
  ['garbage', 4],
];

/** One whole request for one operation. */
export function requestArb(doc: Schema, op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const path = fc.tuple(...op.pathParams.map((p) => (op.documented ? pathIdArb(p.kind, world) : restPathArb))).map((ids) => {
    let out = op.path;
    op.pathParams.forEach((p, i) => (out = out.replace(`{${p.name}}`, ids[i])));
    return out;
  });
  return fc
    .record({
      auth: fc.oneof(...AUTH_STATES.map(([state, weight]) => ({ weight, arbitrary: fc.constant(state) }))),
      token: fc.nat({ max: 1000 }),
      scheme: fc.oneof({ weight: 20, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat({ max: AUTH_SCHEMES.length - 1 }) }),
      method: fc.oneof({ weight: 24, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) }),
      path: fc
        .tuple(
          path,
          fc.oneof({ weight: 20, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: PATH_MUTATIONS.length - 1 }) }),
        )
        .map(([p, m]) => (m < 0 ? p : PATH_MUTATIONS[m](p))),
      query: queryArb(doc, op, world),
      body: bodyArb(doc, op, world),
      contentType: fc.oneof(
        { weight: 16, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      headers: fc.oneof(
        { weight: 3, arbitrary: fc.constant<[string, string][]>([]) },
        { weight: 1, arbitrary: fc.array(extraHeader, { minLength: 1, maxLength: 3 }) },
      ),
      chunked: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map(({ auth, token, scheme, method, path: p, query, body, contentType, headers, chunked }) => {
      const hasBody = body.body !== undefined;
      const media = op.body?.media ?? 'application/json';
      // undefined: the right type when there is a body; null: no Content-Type at all.
      const type =
        contentType === undefined
          ? hasBody
            ? body.encoding === 'utf16le'
              ? `${media}; charset=utf-16le`
              : media
            : undefined
          : contentType;
      const all: [string, string][] = [
        ...(type ? ([['Content-Type', type]] as [string, string][]) : []),
        ...headers.map(([n, v]) => [n, headerValue(v)] as [string, string]),
      ];
      const undeclared = [...(body.undeclared ?? []), ...query.undeclared];
      return {
        op: op.id,
        auth,
        token,
        scheme,
        method,
        target: p + query.query,
        headers: all,
        ...body,
        ...(hasBody && chunked ? { chunked } : {}),
        ...(undeclared.length ? { undeclared } : { undeclared: undefined }),
      };
    });
}

/** The rest of an unknown path: segments of anything, percent-encoded or not. */
const restPathArb = fc.oneof(
  fc.array(fc.string({ unit: 'binary', maxLength: 10 }).map(pct), { maxLength: 4 }).map((segments) => segments.join('/')),
  fc.constantFrom(
    '',
    'users/me/../../..',
    'favicon.ico',
    '.env',
    '.git/config',
    'health',
    'health/',
    'oauth2/token',
    '%2e%2e/%2e%2e/etc/passwd',
    'docs/../docs-json',
    'x'.repeat(5000),
  ),
);
