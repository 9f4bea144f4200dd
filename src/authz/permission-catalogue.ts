/** The one catalogue of system permission codes (docs/api.md §5). Routes name these, never literals. */
export const Perm = {
  USER_READ: 'user:read',
  USER_CREATE: 'user:create',
  USER_UPDATE: 'user:update',
  USER_DELETE: 'user:delete',
  ROLE_READ: 'role:read',
  ROLE_CREATE: 'role:create',
  ROLE_UPDATE: 'role:update',
  ROLE_DELETE: 'role:delete',
  PERMISSION_READ: 'permission:read',
  PERMISSION_CREATE: 'permission:create',
  PERMISSION_UPDATE: 'permission:update',
  PERMISSION_DELETE: 'permission:delete',
  AUDIT_READ: 'audit:read',
  KEY_READ: 'key:read',
  KEY_MANAGE: 'key:manage',
  CLIENT_READ: 'client:read',
  CLIENT_CREATE: 'client:create',
  CLIENT_UPDATE: 'client:update',
  CLIENT_DELETE: 'client:delete',
} as const;

export type PermCode = (typeof Perm)[keyof typeof Perm];

export const SYSTEM_PERMISSIONS: { code: PermCode; name: string; description: string }[] = [
  { code: Perm.USER_READ, name: 'Read users', description: 'List and view users and their login status' },
  { code: Perm.USER_CREATE, name: 'Create users', description: 'Create user accounts' },
  { code: Perm.USER_UPDATE, name: 'Update users', description: 'Edit, disable, unlock users; set their roles, password and sessions' },
  { code: Perm.USER_DELETE, name: 'Delete users', description: 'Soft-delete user accounts' },
  { code: Perm.ROLE_READ, name: 'Read roles', description: 'List and view roles' },
  { code: Perm.ROLE_CREATE, name: 'Create roles', description: 'Create roles' },
  { code: Perm.ROLE_UPDATE, name: 'Update roles', description: 'Edit roles and set their permissions' },
  { code: Perm.ROLE_DELETE, name: 'Delete roles', description: 'Delete non-system roles' },
  { code: Perm.PERMISSION_READ, name: 'Read permissions', description: 'List and view permissions' },
  { code: Perm.PERMISSION_CREATE, name: 'Create permissions', description: 'Create permissions' },
  { code: Perm.PERMISSION_UPDATE, name: 'Update permissions', description: 'Edit permissions' },
  { code: Perm.PERMISSION_DELETE, name: 'Delete permissions', description: 'Delete non-system permissions' },
  { code: Perm.AUDIT_READ, name: 'Read audit log', description: 'Read the audit log' },
  { code: Perm.KEY_READ, name: 'Read signing keys', description: 'List the signing keys' },
  { code: Perm.KEY_MANAGE, name: 'Manage signing keys', description: 'Create, activate and delete signing keys' },
  { code: Perm.CLIENT_READ, name: 'Read clients', description: 'List and view OAuth clients' },
  { code: Perm.CLIENT_CREATE, name: 'Create clients', description: 'Register OAuth clients' },
  { code: Perm.CLIENT_UPDATE, name: 'Update clients', description: 'Edit OAuth clients, rotate their secrets' },
  { code: Perm.CLIENT_DELETE, name: 'Delete clients', description: 'Delete OAuth clients' },
];

export const SystemRole = {
  SUPER_ADMIN: 'SUPER_ADMIN',
  ADMIN: 'ADMIN',
  USER: 'USER',
} as const;

/** Signing keys are SUPER_ADMIN's alone by default (docs/api.md §8). */
const SUPER_ADMIN_ONLY: readonly PermCode[] = [Perm.KEY_READ, Perm.KEY_MANAGE];

/**
 * The system roles and the system permissions each carries. A system permission added in a
 * later release reaches the roles that list it at the next start (the seed adds it).
 */
export const SYSTEM_ROLES: { code: string; name: string; description: string; permissions: readonly PermCode[] }[] = [
  {
    code: SystemRole.SUPER_ADMIN,
    name: 'Super administrator',
    description: 'Passes every permission check',
    permissions: SYSTEM_PERMISSIONS.map((p) => p.code),
  },
  {
    code: SystemRole.ADMIN,
    name: 'Administrator',
    description: 'All system permissions but the signing keys',
    permissions: SYSTEM_PERMISSIONS.map((p) => p.code).filter((c) => !SUPER_ADMIN_ONLY.includes(c)),
  },
  { code: SystemRole.USER, name: 'User', description: 'Every registered account', permissions: [] },
];
