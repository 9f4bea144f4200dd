import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app.config.js';
import { envSchema } from '../../src/config/env.schema.js';

const ROOT = process.cwd();
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** A Dockerfile's instructions (continuation lines joined, comments dropped), each with its stage. */
function instructions(dockerfile: string): Instruction[] {
  const joined = dockerfile
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    if (keyword === 'FROM') stage += 1;
    out.push({ keyword, args: m[2]!.trim(), stage });
  }
  return out;
}

/** `${NAME:?message}` → a value; `${NAME:-default}` → the default; as `docker compose` would, with the variables set. */
function interpolate(value: string, given: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) => {
    if (given[name] !== undefined) return given[name]!;
    if (op === '-') return rest ?? '';
    if (op === '?') throw new Error(`compose would need ${name}`);
    return '';
  });
}

/**
 * What can be checked of the container files without a Docker engine (none runs on these
 * machines): the image is Node 24 LTS and runs as a non-root user, its CMD starts a file the
 * build makes, and compose.yml's app service sets only settings the app knows, with values the
 * production configuration accepts.
 */
describe('docker/Dockerfile and docker/compose.yml', () => {
  const dockerfile = instructions(read('docker/Dockerfile'));
  const froms = dockerfile.filter((i) => i.keyword === 'FROM');
  const lastStage = froms.length - 1;
  const runtime = dockerfile.filter((i) => i.stage === lastStage);

  it('builds and runs on Node 24 LTS (bookworm-slim) in every stage', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:24-bookworm-slim(\s+AS\s+\w+)?$/i);
  });

  it('runs its final stage as a non-root user, in production mode', () => {
    const users = runtime.filter((i) => i.keyword === 'USER');
    expect(users.length, 'a USER in the runtime stage').toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0]!;
    expect(['root', '0']).not.toContain(user);
    // And the USER comes before what runs: CMD and HEALTHCHECK.
    const index = (keyword: string) => runtime.findIndex((i) => i.keyword === keyword);
    expect(runtime.indexOf(users.at(-1)!)).toBeLessThan(index('CMD'));
    expect(runtime.some((i) => i.keyword === 'ENV' && /NODE_ENV=production/.test(i.args))).toBe(true);
  });

  it('starts (CMD) a file that exists, which loads what the image builds (the bundle of build:prod, else nest build); the runtime stage copies both', () => {
    const cmd = runtime.filter((i) => i.keyword === 'CMD').at(-1);
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd!.args) as string[];
    expect(argv[0]).toBe('node');
    const entry = argv[1]!;
    expect(existsSync(resolve(ROOT, entry)), entry).toBe(true);
    // bin/authcentre.cjs imports the bundle when it exists, else the compiled main; the image
    // builds the bundle (npm run build:prod), the suite runs after `nest build`.
    const source = read(entry);
    expect(source).toContain("join(__dirname, '..', 'dist', 'bundle', 'main.mjs')");
    expect(source).toContain("join(__dirname, '..', 'dist', 'src', 'main.js')");
    expect(dockerfile.some((i) => i.stage < lastStage && i.keyword === 'RUN' && i.args.includes('npm run build:prod'))).toBe(true);
    expect(existsSync(resolve(ROOT, 'dist/src/main.js')), 'dist/src/main.js (run nest build)').toBe(true);
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const path of [entry.split('/')[0], 'dist', 'node_modules', 'package.json']) {
      expect(
        copies.some((c) => c.split(/\s+/).some((part) => part.replace(/^\/app\//, '') === path)),
        `COPY of ${path}`,
      ).toBe(true);
    }
  });

  const compose = parse(read('docker/compose.yml')) as {
    services: Record<string, { environment?: Record<string, string | number | boolean>; ports?: string[]; volumes?: string[] }>;
  };
  const appEnv = Object.fromEntries(Object.entries(compose.services.app?.environment ?? {}).map(([k, v]) => [k, String(v)]));

  it('compose.yml parses; its app service sets only settings the app knows', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['app', 'nginx']));
    const known = new Set(Object.keys(envSchema.shape));
    const unknown = Object.keys(appEnv).filter((name) => !known.has(name));
    expect(unknown, 'variables of the app service that src/config/env.schema.ts does not read').toEqual([]);
    for (const name of ['NODE_ENV', 'PUBLIC_URL', 'TRUST_PROXY', 'CORS_ORIGINS', 'DOCS_ENABLED', 'ENCRYPTION_KEY', 'JWT_REFRESH_SECRET']) {
      expect(appEnv, name).toHaveProperty(name);
    }
  });

  it('its app environment is a production configuration the app accepts, behind TLS', () => {
    // The variables compose says must be set (${X:?...}), as an operator would set them.
    const given = {
      MYSQL_PASSWORD: randomBytes(18).toString('hex'),
      JWT_REFRESH_SECRET: randomBytes(48).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_PASSWORD: 'Compose-Adm1n-Passphrase',
    };
    const env = Object.fromEntries(Object.entries(appEnv).map(([k, v]) => [k, interpolate(v, given)]));
    expect(env.NODE_ENV).toBe('production');
    const config = loadConfig(env);
    expect(config.http.publicUrl).toMatch(/^https:\/\//);
    expect(config.http.trustProxy).toBe(true);
    // Without the operator's secrets compose refuses to start, rather than the app starting weak.
    for (const name of Object.keys(given)) {
      expect(() => Object.values(appEnv).map((v) => interpolate(v, { ...given, [name]: undefined! }))).toThrow(name);
    }
  });

  it('nginx terminates TLS and only redirects plain http', () => {
    const nginx = compose.services.nginx!;
    expect(nginx.ports?.some((p) => /:443$/.test(String(p)))).toBe(true);
    expect(nginx.volumes?.some((v) => v.endsWith(':/etc/nginx/certs:ro'))).toBe(true);
    const conf = read('docker/nginx.conf');
    expect(conf).toMatch(/listen 443 ssl;/);
    expect(conf).toMatch(/ssl_certificate\s+\/etc\/nginx\/certs\/fullchain\.pem;/);
    expect(conf).toMatch(/listen 80;\s+server_name _;\s+server_tokens off;\s+return 301 https:/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-Proto https;/);
  });
});
