#!/usr/bin/env node
/**
 * The bundled production build (`npm run build:prod`, after `nest build`): esbuild bundles
 * dist/src/main.js and what it imports into one file, dist/bundle/main.mjs, which
 * bin/authcentre.cjs loads when it is there. Why: most of the service's heap is loaded code
 * (docs/performance.md); one bundle holds only the modules reached from main.js — not the
 * database drivers TypeORM ships for other databases — and is parsed from one file.
 *
 * Left outside the bundle, loaded from node_modules at run time:
 * - native addons (argon2, bcrypt, better-sqlite3) and packages that read files beside their
 *   own code (swagger-ui-dist's assets, svg-captcha's font, oidc-provider's package data);
 * - what TypeORM and the app require by a name computed at run time (esbuild leaves those
 *   calls alone): mysql2 and better-sqlite3 (PlatformTools.load), @zxcvbn-ts/language-common;
 * - packages the code never loads in this service (Nest's microservices, websockets, …):
 *   external, so a call that did would fail loudly rather than silently bundle them.
 * TypeORM's drivers for other databases are replaced by stubs that throw if constructed.
 *
 * `node scripts/bundle.mjs --metafile` writes dist/bundle/meta.json (what each input weighs).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'bundle', 'main.mjs');

/** Loaded from node_modules at run time (see above). */
const EXTERNAL = [
  'argon2',
  'bcrypt',
  'better-sqlite3',
  'mysql2',
  'ioredis',
  'oidc-provider',
  'swagger-ui-dist',
  'svg-captcha',
  '@fastify/static',
  '@zxcvbn-ts/language-common',
  // pino's transports and worker threads load files by path.
  'pino',
  'thread-stream',
  // Optional packages Nest, TypeORM and friends probe for; none is installed or used here.
  '@nestjs/microservices',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/microservices/*',
  '@nestjs/platform-express',
  '@fastify/view',
  '@mikro-orm/core',
  '@nestjs/mongoose',
  '@nestjs/sequelize',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'class-transformer/storage',
  'kafkajs',
  'mqtt',
  'nats',
  'amqplib',
  'amqp-connection-manager',
  'hdb-pool',
  '@sap/hana-client',
  '@sap/hana-client/*',
  'pg',
  'pg-native',
  'pg-query-stream',
  'oracledb',
  'mssql',
  'mongodb',
  'sql.js',
  'sqlite3',
  'redis',
  'react-native-sqlite-storage',
  'typeorm-aurora-data-api-driver',
  '@google-cloud/spanner',
  '@capacitor-community/sqlite',
  'expo-sqlite',
  'fastify-swagger',
];

/** TypeORM's drivers for databases this service does not speak (it speaks better-sqlite3 and mysql). */
const UNUSED_DRIVERS = {
  'aurora-mysql/AuroraMysqlDriver': 'AuroraMysqlDriver',
  'aurora-postgres/AuroraPostgresDriver': 'AuroraPostgresDriver',
  'capacitor/CapacitorDriver': 'CapacitorDriver',
  'cockroachdb/CockroachDriver': 'CockroachDriver',
  'cordova/CordovaDriver': 'CordovaDriver',
  'expo/ExpoDriver': 'ExpoDriver',
  'mongodb/MongoDriver': 'MongoDriver',
  'nativescript/NativescriptDriver': 'NativescriptDriver',
  'oracle/OracleDriver': 'OracleDriver',
  'postgres/PostgresDriver': 'PostgresDriver',
  'react-native/ReactNativeDriver': 'ReactNativeDriver',
  'sap/SapDriver': 'SapDriver',
  'spanner/SpannerDriver': 'SpannerDriver',
  'sqljs/SqljsDriver': 'SqljsDriver',
  'sqlserver/SqlServerDriver': 'SqlServerDriver',
};

/** Resolves DriverFactory's `require("./<db>/<Name>Driver")` of an unused database to a stub. */
const leaveOutUnusedDrivers = {
  name: 'typeorm-unused-drivers',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\/\w+Driver$/ }, (a) => {
      if (!/[\\/]typeorm[\\/]driver[\\/]DriverFactory\.js$/.test(a.importer)) return undefined;
      const name = UNUSED_DRIVERS[a.path.slice(2)];
      return name ? { path: name, namespace: 'unused-driver' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'unused-driver' }, (a) => ({
      loader: 'js',
      contents:
        `exports.${a.path} = class ${a.path} {\n` +
        `  constructor() { throw new Error('TypeORM ${a.path} is left out of this build (scripts/bundle.mjs): use dist/src/main.js'); }\n` +
        '};\n',
    }));
  },
};

/**
 * @nestjs/typeorm looks up `Connection` and `AbstractRepository` (TypeORM 0.3 names) with a
 * require() of its own at run time: in the bundle that loads a second, complete TypeORM from
 * node_modules (every driver included) only to find both undefined. TypeORM 1 has neither,
 * so the lookup is replaced by its answer — checked here against the installed TypeORM.
 */
const typeormCompat = {
  name: 'nestjs-typeorm-compat',
  setup(b) {
    b.onLoad({ filter: /[\\/]@nestjs[\\/]typeorm[\\/]dist[\\/]common[\\/]typeorm-compat\.js$/ }, async () => {
      const typeorm = createRequire(import.meta.url)('typeorm');
      if (typeorm.Connection !== undefined || typeorm.AbstractRepository !== undefined) {
        throw new Error('this TypeORM still exports Connection/AbstractRepository: drop the typeorm-compat stub in scripts/bundle.mjs');
      }
      return { loader: 'js', contents: 'export const Connection = undefined;\nexport const AbstractRepository = undefined;\n' };
    });
  },
};

/**
 * V8 keeps a script's source in the heap, as one-byte characters only if every character is
 * Latin-1: one non-ASCII character (validator's locale regexes hold some) doubles the
 * bundle's 5-6 MB. esbuild escapes strings but not regular expressions, so every non-ASCII
 * UTF-16 unit left is written as \\uXXXX — the same character in a string, a template, a
 * regular expression (with or without the u flag, a surrogate pair stays one code point) or an
 * identifier. String.raw would see the escape instead: refused if it meets one.
 */
/**
 * `keepNames` has esbuild call its `__name(fn, name)` helper — `Object.defineProperty` on the
 * function — wherever it may have renamed something: once per class (in a `static {}` block),
 * but also each time a named function is *created*, which for the closures rxjs, Nest and
 * Fastify make per request is ~30 times a request. Measured: the floor route 15–18k/s bundled
 * against 26–30k/s unbundled, `/users/me` 11–12k/s against 19–20k/s; with the helper a no-op,
 * as fast as unbundled. Without `keepNames` at all the bundle renames classes TypeORM reads by
 * name (its migrations' timestamps among them). So classes keep their names (their static blocks
 * call `__className`), and functions keep whatever name the bundle gave them (`isPlainObject7`):
 * nothing here reads a function's name.
 */
const NAME_HELPER = 'var __name=(target,value)=>__defProp(target,"name",{value,configurable:!0})';
const CLASS_NAME_CALL = 'static{__name(this,"';
function classNamesOnly(source) {
  if (!source.includes(NAME_HELPER))
    throw new Error(`esbuild's __name helper changed: update NAME_HELPER in ${fileURLToPath(import.meta.url)}`);
  if (/__name\(class[\s{]/.test(source))
    throw new Error('a class is named outside a static block: classNamesOnly() would leave it renamed');
  return source
    .replace(NAME_HELPER, 'var __name=(target,value)=>target,__className=(target,value)=>__defProp(target,"name",{value,configurable:!0})')
    .replaceAll(CLASS_NAME_CALL, 'static{__className(this,"');
}

function asciiOnly(source) {
  return source.replace(/[\u0080-\uffff]/g, (c, at) => {
    if (source.lastIndexOf('String.raw', at) > source.lastIndexOf('\n', at)) throw new Error(`non-ASCII inside String.raw at ${at}`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * A bare import that does not resolve is an optional package that is not installed (Nest
 * probes for @fastify/multipart, @nestjs/microservices, …): left external, so loading it
 * would fail at run time exactly as it does unbundled. Listed at the end of the build.
 */
const notInstalled = new Set();
const leaveOutMissingOptionals = {
  name: 'missing-optionals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (a) => {
      if (a.pluginData?.probing || a.path.startsWith('node:')) return undefined;
      const found = await b.resolve(a.path, {
        resolveDir: a.resolveDir,
        kind: a.kind,
        importer: a.importer,
        pluginData: { probing: true },
      });
      if (found.errors.length === 0) return undefined;
      notInstalled.add(a.path);
      return { path: a.path, external: true };
    });
  },
};

const flags = new Set(process.argv.slice(2));
const metafile = flags.has('--metafile');
/** For measuring each step (docs/performance.md): `--keep-drivers` bundles every TypeORM driver, `--no-minify` keeps the source as written. */
const keepDrivers = flags.has('--keep-drivers');
const minify = !flags.has('--no-minify');
mkdirSync(dirname(OUT), { recursive: true });
// Written beside the target and renamed over it: a process starting meanwhile (tests run in
// parallel) loads the previous bundle or the new one, never half of one.
const TEMP = `${OUT}.${process.pid}.tmp.mjs`;
const result = await build({
  entryPoints: [join(ROOT, 'dist', 'src', 'main.js')],
  outfile: TEMP,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // Class names stay as written: TypeORM, Nest's logger contexts and error names read them.
  keepNames: true,
  // Whitespace and syntax only (identifiers keep their names): V8 keeps every loaded script's
  // source in the heap, so a smaller text is less memory.
  minifyWhitespace: minify,
  minifySyntax: minify,
  legalComments: 'none',
  // Beside the bundle, read only under --enable-source-maps.
  sourcemap: 'external',
  footer: { js: '//# sourceMappingURL=main.mjs.map' },
  external: EXTERNAL,
  // Bundled CommonJS code calls require(), reads __dirname: give the ES module both.
  banner: {
    js: [
      "import { createRequire as __acCreateRequire } from 'node:module';",
      "import { dirname as __acDirname } from 'node:path';",
      "import { fileURLToPath as __acFileURLToPath } from 'node:url';",
      'const require = __acCreateRequire(import.meta.url);',
      'const __filename = __acFileURLToPath(import.meta.url);',
      'const __dirname = __acDirname(__filename);',
    ].join('\n'),
  },
  plugins: [...(keepDrivers ? [] : [leaveOutUnusedDrivers]), typeormCompat, leaveOutMissingOptionals],
  metafile,
  logLevel: 'warning',
  logOverride: {
    // require(name) with a computed name: left to run time on purpose (see above).
    'unsupported-require-call': 'silent',
    'unsupported-dynamic-import': 'silent',
  },
});
writeFileSync(TEMP, classNamesOnly(asciiOnly(readFileSync(TEMP, 'utf8'))));
renameSync(`${TEMP}.map`, `${OUT}.map`);
renameSync(TEMP, OUT);
if (metafile) writeFileSync(join(dirname(OUT), 'meta.json'), JSON.stringify(result.metafile));
process.stderr.write(`bundle: ${OUT}\nnot installed, left external: ${[...notInstalled].sort().join(' ') || 'none'}\n`);
