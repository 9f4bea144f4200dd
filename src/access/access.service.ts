import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ACCESS_CACHE } from '../common/cache/cache.module.js';
import type { StateCache } from '../common/cache/state-cache.js';
import { Permission } from '../permissions/permission.entity.js';
import { SystemRole } from '../permissions/permission-catalogue.js';
import { toUserDto, type MeDto } from '../users/dto/user.dto.js';
import { User } from '../users/user.entity.js';

/** What a request needs to know about its user, resolved once and cached. */
export interface Access {
  userId: string;
  active: boolean;
  isSuperAdmin: boolean;
  permissions: ReadonlySet<string>;
  me: MeDto;
}

/** Bounds staleness should an invalidation ever be missed; changes invalidate at once. */
const ACCESS_TTL_SECONDS = 300;

/**
 * Resolves a user's status, roles and permissions (API.md §6: permissions are not in
 * the token). Cached per user; every change to a user, role, permission or assignment
 * invalidates, so it takes effect at the affected users' next request.
 */
@Injectable()
export class AccessService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Permission) private readonly permissions: Repository<Permission>,
    @Inject(ACCESS_CACHE) private readonly cache: StateCache<Access | null>,
  ) {}

  /** The user's access, or null when the user does not exist or is deleted. */
  get(userId: string): Promise<Access | null> {
    return this.cache.getOrLoad(userId, () => this.load(userId), ACCESS_TTL_SECONDS);
  }

  /** After a change to this user (profile, status, roles, deletion). */
  invalidateUser(userId: string): Promise<void> {
    return this.cache.invalidate(userId);
  }

  /**
   * After a login: the cached `me` gets the new last_login_at without a reload (status,
   * roles and permissions are unchanged by a login).
   */
  noteLogin(userId: string, at: Date): Promise<void> {
    return this.cache.touch(userId, (access) => (access ? { ...access, me: { ...access.me, last_login_at: at.toISOString() } } : access));
  }

  /** After a change to any role, permission or role–permission assignment. */
  invalidateAll(): Promise<void> {
    return this.cache.invalidateAll();
  }

  private async load(userId: string): Promise<Access | null> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { roles: { permissions: true } } });
    if (!user) return null;
    const isSuperAdmin = user.roles.some((r) => r.code === SystemRole.SUPER_ADMIN);
    const codes = isSuperAdmin
      ? (await this.permissions.find({ select: { code: true } })).map((p) => p.code)
      : user.roles.flatMap((r) => r.permissions.map((p) => p.code));
    const permissions = [...new Set(codes)].sort();
    return {
      userId,
      active: user.status === 'active',
      isSuperAdmin,
      permissions: new Set(permissions),
      me: { ...toUserDto(user), permissions },
    };
  }
}
