import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import type { Access } from '../../authz/access.service.js';
import { IS_PUBLIC } from '../../authz/public.decorator.js';
import { AppException } from '../../common/errors/app.exception.js';
import { PERMISSIONS_KEY } from '../../authz/require-permissions.decorator.js';
import { JwtAccessGuard } from './jwt-access.guard.js';
import { PermissionsGuard } from '../../authz/permissions.guard.js';

class Handler {}
function contextFor(meta: Record<string, unknown>, user?: unknown): ExecutionContext {
  for (const [k, v] of Object.entries(meta)) Reflect.defineMetadata(k, v, Handler);
  const request = { user, headers: {} };
  return {
    getHandler: () => Handler,
    getClass: () => Handler,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
}
const access = (permissions: string[], isSuperAdmin = false): Partial<Access> => ({
  permissions: new Set(permissions),
  isSuperAdmin,
  active: true,
});
const error = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (err) {
    return (err as AppException).code;
  }
};

describe('PermissionsGuard', () => {
  const guard = new PermissionsGuard(new Reflector());

  it('lets a route without required permissions through', () => {
    expect(guard.canActivate(contextFor({ [PERMISSIONS_KEY]: undefined }, { access: access([]) }))).toBe(true);
  });

  it('needs every named permission', () => {
    const meta = { [PERMISSIONS_KEY]: ['user:read', 'user:update'] };
    expect(error(() => guard.canActivate(contextFor(meta, { access: access(['user:read']) })))).toBe('FORBIDDEN');
    expect(error(() => guard.canActivate(contextFor(meta, { access: access(['user:read', 'user:update']) })))).toBe('allowed');
  });

  it('lets SUPER_ADMIN pass every check', () => {
    expect(error(() => guard.canActivate(contextFor({ [PERMISSIONS_KEY]: ['anything:at-all'] }, { access: access([], true) })))).toBe(
      'allowed',
    );
  });

  it('refuses when no principal was resolved', () => {
    expect(error(() => guard.canActivate(contextFor({ [PERMISSIONS_KEY]: ['user:read'] })))).toBe('UNAUTHENTICATED');
  });
});

describe('JwtAccessGuard', () => {
  const tokens = { classify: () => new AppException('INVALID_TOKEN') };
  const guard = new JwtAccessGuard(new Reflector(), tokens as never, {} as never, {} as never, {} as never);

  it('lets @Public() routes through without looking at a token', async () => {
    await expect(guard.canActivate(contextFor({ [IS_PUBLIC]: true }))).resolves.toBe(true);
  });

  it('maps a missing token to UNAUTHENTICATED and a bad one to the token service’s verdict', () => {
    const ctx = contextFor({ [IS_PUBLIC]: false });
    expect(error(() => guard.handleRequest(null, false, new Error('No auth token'), ctx))).toBe('UNAUTHENTICATED');
    const withToken = contextFor({});
    (withToken.switchToHttp().getRequest() as { headers: Record<string, string> }).headers.authorization = 'Bearer x.y.z';
    expect(error(() => guard.handleRequest(null, false, new Error('invalid signature'), withToken))).toBe('INVALID_TOKEN');
  });

  it('passes an AppException from the strategy through unchanged', () => {
    expect(error(() => guard.handleRequest(new AppException('INVALID_TOKEN_TYPE'), false, null, contextFor({})))).toBe(
      'INVALID_TOKEN_TYPE',
    );
  });
});
