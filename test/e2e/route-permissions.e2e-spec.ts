import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS_KEY } from '../../src/authz/require-permissions.decorator.js';
import { IS_PUBLIC } from '../../src/authz/public.decorator.js';
import { buildOpenApiDocument } from '../../src/openapi/swagger.js';
import { DB, startApp, type TestApp } from '../support/app.js';

/**
 * Secure by default, checked: every route of the application is either `@Public()`,
 * names the permissions it needs, or is one of the few that need only a signed-in
 * user (below). The route → access map is a committed snapshot, so any change to who
 * may call what shows up in review as a diff of __snapshots__/route-permissions.json.
 * (After a deliberate change: `npx vitest run --project e2e-sqlite -u test/e2e/route-permissions.e2e-spec.ts`.)
 */
const AUTHENTICATED_ONLY = [
  /^(GET|PATCH|PUT|DELETE) \/users\/me(\/.*)?$/,
  /^POST \/users\/me\/email\/verification$/,
  /^POST \/auth\/logout$/,
];

type Access = 'public' | 'authenticated' | string[];
interface Route {
  key: string;
  method: string;
  path: string;
  access: Access;
}

function discoverRoutes(t: TestApp): Route[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const reflector = t.app.get(Reflector);
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { metatype, instance } = wrapper;
    if (!metatype || !instance) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = (instance as Record<string, unknown>)[name] as object;
      const subPath = Reflect.getMetadata(PATH_METADATA, handler);
      if (subPath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      for (const sub of Array.isArray(subPath) ? subPath : [subPath]) {
        const path = `/${[base, String(sub)]
          .map((p) => p.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler as never, metatype]);
        const perms = reflector.getAllAndOverride<string[] | undefined>(PERMISSIONS_KEY, [handler as never, metatype]);
        const key = `${method} ${path}`;
        if (isPublic && perms?.length) throw new Error(`${key} is @Public() and names permissions: which is it?`);
        const access: Access = isPublic ? 'public' : perms?.length ? [...perms] : 'authenticated';
        routes.push({ key, method, path, access });
      }
    }
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}

describe(`route → permission map [${DB}]`, () => {
  let t: TestApp;
  let routes: Route[];

  beforeAll(async () => {
    t = await startApp();
    routes = discoverRoutes(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds the routes (the walk itself works)', () => {
    const keys = routes.map((r) => r.key);
    expect(keys).toEqual(
      expect.arrayContaining(['POST /auth/login', 'GET /users', 'GET /users/me', 'GET /audit-logs', 'PUT /roles/:id/permissions']),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every route is @Public(), names its permissions, or is on the signed-in-only list', () => {
    const open = routes.filter((r) => r.access === 'authenticated' && !AUTHENTICATED_ONLY.some((re) => re.test(r.key)));
    expect(
      open.map((r) => r.key),
      'routes that need a token but name no permission',
    ).toEqual([]);
    // The allow-list names only routes that exist and are not public.
    for (const re of AUTHENTICATED_ONLY)
      expect(
        routes.some((r) => re.test(r.key) && r.access === 'authenticated'),
        String(re),
      ).toBe(true);
    // Administration never slips to public or token-only.
    for (const r of routes.filter((x) => /^\/(users|roles|permissions|audit-logs)(\/|$)/.test(x.path) && !x.path.startsWith('/users/me'))) {
      expect(Array.isArray(r.access), r.key).toBe(true);
    }
  });

  it('matches the committed snapshot (a diff here is an access change)', async () => {
    // Valid JSON, one route per line, so a diff names exactly the routes whose access changed.
    const lines = routes.map((r) => `  ${JSON.stringify(r.key)}: ${JSON.stringify(r.access)}`);
    await expect(`{\n${lines.join(',\n')}\n}\n`).toMatchFileSnapshot('./__snapshots__/route-permissions.json');
  });

  it('the OpenAPI document shows x-permissions, bearer auth and 401/403 on every permissioned route', () => {
    const doc = buildOpenApiDocument(t.app);
    for (const r of routes) {
      const openApiPath = r.path.replace(/:(\w+)/g, '{$1}');
      const item = doc.paths[`/api/v1${openApiPath}`] ?? doc.paths[openApiPath];
      expect(item, `${r.key} is in the OpenAPI document`).toBeTruthy();
      const op = (item as Record<string, Record<string, unknown>>)[r.method.toLowerCase()];
      expect(op, r.key).toBeTruthy();
      if (Array.isArray(r.access)) {
        expect(op['x-permissions'], r.key).toEqual(r.access);
        expect(Object.keys(op.responses as object), r.key).toEqual(expect.arrayContaining(['401', '403']));
        expect(JSON.stringify((op.responses as Record<string, { description: string }>)['403'].description), r.key).toContain(r.access[0]);
        expect(op.security, r.key).toEqual(expect.arrayContaining([{ bearer: [] }]));
      } else {
        expect(op['x-permissions'], r.key).toBeUndefined();
      }
    }
  });
});
