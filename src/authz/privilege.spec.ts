import { describe, expect, it } from 'vitest';
import { AppException } from '../common/errors/app.exception.js';
import type { Access } from './access.service.js';
import { assertMayActOnUser, assertMayGrantPermissions, assertRolesInReach, permissionInReach, roleInReach } from './privilege.js';

const access = (permissions: string[], isSuperAdmin = false): Access =>
  ({ active: true, isSuperAdmin, permissions: new Set(permissions) }) as Access;

const role = (code: string, ...perms: string[]) => ({ code, permissions: perms.map((p) => ({ code: p })) });

const codeOf = (fn: () => void): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof AppException ? err.code : 'other';
  }
};

describe('privilege rules', () => {
  const admin = access(['user:read', 'user:update', 'role:update']);
  const superAdmin = access([], true);

  it('a permission is in reach when held; SUPER_ADMIN reaches everything', () => {
    expect(permissionInReach(admin, 'user:read')).toBe(true);
    expect(permissionInReach(admin, 'order:refund')).toBe(false);
    expect(permissionInReach(superAdmin, 'order:refund')).toBe(true);
    expect(codeOf(() => assertMayGrantPermissions(admin, ['user:read', 'order:refund']))).toBe('FORBIDDEN');
    expect(codeOf(() => assertMayGrantPermissions(admin, ['user:read']))).toBeNull();
    expect(codeOf(() => assertMayGrantPermissions(admin, []))).toBeNull();
  });

  it('a role is in reach when every permission is held and it is not SUPER_ADMIN', () => {
    expect(roleInReach(admin, role('USER'))).toBe(true);
    expect(roleInReach(admin, role('HELPDESK', 'user:read', 'user:update'))).toBe(true);
    expect(roleInReach(admin, role('REFUNDER', 'user:read', 'order:refund'))).toBe(false);
    // SUPER_ADMIN's power is not in its permission rows: holding all of them is not enough.
    expect(roleInReach(admin, role('SUPER_ADMIN'))).toBe(false);
    expect(roleInReach(superAdmin, role('SUPER_ADMIN'))).toBe(true);
    expect(codeOf(() => assertRolesInReach(admin, [role('USER'), role('SUPER_ADMIN')]))).toBe('FORBIDDEN');
    expect(codeOf(() => assertRolesInReach(superAdmin, [role('SUPER_ADMIN'), role('X', 'any:thing')]))).toBeNull();
  });

  it('only SUPER_ADMIN acts on a SUPER_ADMIN user, or on anyone holding more than the caller', () => {
    const target = { roles: [role('USER'), role('SUPER_ADMIN')] };
    expect(codeOf(() => assertMayActOnUser(admin, target))).toBe('FORBIDDEN');
    expect(codeOf(() => assertMayActOnUser(superAdmin, target))).toBeNull();
    expect(codeOf(() => assertMayActOnUser(admin, { roles: [role('HELPDESK', 'user:read')] }))).toBeNull();
    // Acting on someone who holds more than the caller could grant is an account takeover.
    expect(codeOf(() => assertMayActOnUser(admin, { roles: [role('REFUNDER', 'order:refund')] }))).toBe('FORBIDDEN');
    expect(codeOf(() => assertMayActOnUser(superAdmin, { roles: [role('REFUNDER', 'order:refund')] }))).toBeNull();
  });
});
