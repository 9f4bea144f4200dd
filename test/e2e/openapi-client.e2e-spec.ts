import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { responseSchema, schemaViolations } from '../support/openapi-schema.js';

const exec = promisify(execFile);
const ROOT = process.cwd();

/** What flow.mts prints (not imported from it: it only compiles next to the generated types). */
interface Step {
  method: string;
  path: string;
  status: number;
  body: unknown;
}
interface FlowResult {
  username: string;
  userId: string;
  meUsername: string;
  meId: string;
  permissions: string[];
  tokensRotated: boolean;
  changedData: null;
  wrongKey?: string;
  afterLogoutKey?: string;
  reLoginUser: string;
  steps: Step[];
}

/**
 * The "generated client that works": types from the committed openapi.json
 * (openapi-typescript), a strict tsc over a small openapi-fetch program, and that
 * program run against the real app. It runs on both databases because the runtime
 * check — every body matches the schema the types came from — is where a driver's
 * difference (MariaDB's TINYINT booleans, DATETIME precision) would break a client.
 */
describe(`a client generated from openapi.json [${DB}]`, () => {
  let t: TestApp;
  let dir: string;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    [t, dir] = await Promise.all([startApp(), mkdtemp(join(tmpdir(), 'authcentre-client-'))]);
    doc = JSON.parse(await readFile('openapi.json', 'utf8')) as OpenAPIObject;
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('comes from the document the app serves at /docs-json', async () => {
    // Also guards openapi-document.ts, which repeats createApp's global prefix for preview mode.
    const served = await t.http.get('/docs-json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(doc);
  });

  it('type-checks with strict tsc: generated types plus an openapi-fetch program', async () => {
    // The temp folder resolves openapi-fetch and @types/node from this repository.
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await writeFile(join(dir, 'api.mts'), astToString(await openapiTS(pathToFileURL(resolve('openapi.json')))));
    await copyFile(join(ROOT, 'test/e2e/openapi-client/flow.mts'), join(dir, 'flow.mts'));
    const compilerOptions = {
      target: 'ES2023',
      lib: ['ES2023'],
      types: ['node'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noUncheckedIndexedAccess: true,
      noUnusedLocals: true,
      skipLibCheck: true,
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['flow.mts'] }));
    const tsc = await exec(join(ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { timeout: 25_000 }).then(
      () => '',
      (err: { stdout?: string; message: string }) => err.stdout || err.message,
    );
    expect(tsc, 'tsc diagnostics').toBe('');
  });

  it('drives register → login → me → refresh → change password → logout; every body matches its schema', async () => {
    const { stdout } = await exec(process.execPath, [join(dir, 'flow.mjs'), t.url], { timeout: 20_000 });
    const result = JSON.parse(stdout) as FlowResult;

    expect(result.steps.map((s) => `${s.method} ${s.path} ${s.status}`)).toEqual([
      'POST /api/v1/auth/register 201',
      'POST /api/v1/auth/login 401',
      'POST /api/v1/auth/login 200',
      'GET /api/v1/users/me 200',
      'POST /api/v1/auth/refresh 200',
      'PUT /api/v1/users/me/password 200',
      'POST /api/v1/auth/logout 200',
      'GET /api/v1/users/me 401',
      'POST /api/v1/auth/login 200',
    ]);
    // What the types promised, at runtime: each body conforms to its documented schema.
    for (const step of result.steps) {
      const schema = responseSchema(doc, step.path, step.method, step.status);
      expect(schemaViolations(doc, schema, step.body), `${step.method} ${step.path} ${step.status}`).toEqual([]);
    }
    expect(result).toMatchObject({
      meUsername: result.username,
      meId: result.userId,
      permissions: [],
      tokensRotated: true,
      changedData: null,
      wrongKey: 'INVALID_CREDENTIALS',
      afterLogoutKey: 'TOKEN_REVOKED',
      reLoginUser: result.username,
    });
  });
});
