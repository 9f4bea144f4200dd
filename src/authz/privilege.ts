import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { SystemRole } from './permission-catalogue.js';
import type { Access } from './access.service.js';

/**
 * The no-escalation rules of docs/api.md §5, as pure functions over the caller's resolved
 * access. Services call them with what they loaded inside their transaction; the route
 * permission only says the caller may use the endpoint at all.
 *
 * A caller who is not SUPER_ADMIN can give away (or take away) only what they hold:
 * - a permission is within reach when they hold its code;
 * - a role is within reach when it is not SUPER_ADMIN and they hold every permission
 *   it carries (assigning a role grants all of its permissions).
 * Out of reach → 403 FORBIDDEN. SUPER_ADMIN passes every check, as it does at the guard.
 */

interface RoleLike {
  code: string;
  permissions: { code: string }[];
}

interface UserLike {
  roles: { code: string }[];
}

interface UserWithPermissions {
  roles: RoleLike[];
}

export function hasSuperAdminRole(user: UserLike): boolean {
  return user.roles.some((r) => r.code === SystemRole.SUPER_ADMIN);
}

export function permissionInReach(me: Access, code: string): boolean {
  return me.isSuperAdmin || me.permissions.has(code);
}

export function roleInReach(me: Access, role: RoleLike): boolean {
  if (me.isSuperAdmin) return true;
  return role.code !== SystemRole.SUPER_ADMIN && role.permissions.every((p) => me.permissions.has(p.code));
}

/** 403 unless the caller holds every one of these permission codes. */
export function assertMayGrantPermissions(me: Access, codes: Iterable<string>): void {
  for (const code of codes) if (!permissionInReach(me, code)) throw new AppException(ErrorCode.FORBIDDEN);
}

/** 403 unless every role is within the caller's reach (see above). */
export function assertRolesInReach(me: Access, roles: Iterable<RoleLike>): void {
  for (const role of roles) if (!roleInReach(me, role)) throw new AppException(ErrorCode.FORBIDDEN);
}

/**
 * 403 when a caller who is not SUPER_ADMIN changes a user who holds more than they
 * could grant: a SUPER_ADMIN (docs/api.md §5: "cannot touch"), or anyone with a role out of
 * the caller's reach. Setting such a user's password or email is an account takeover,
 * and so a way to gain their permissions; reading them stays allowed.
 */
export function assertMayActOnUser(me: Access, target: UserWithPermissions): void {
  if (me.isSuperAdmin) return;
  if (hasSuperAdminRole(target) || !target.roles.every((r) => roleInReach(me, r))) throw new AppException(ErrorCode.FORBIDDEN);
}
