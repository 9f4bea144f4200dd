import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessService, type Access, type AccessSource } from '../authz/access.service.js';
import type { UserPrincipal } from '../authz/principal.js';
import { RolesService } from '../roles/roles.service.js';
import { toUserDto, type MeDto } from './dto/user.dto.js';
import { User } from './user.entity.js';

/**
 * A user's access (status, permissions) for the authorization layer, and their profile
 * (Me, API.md §2) for `/users/me` and the login answer.
 *
 * The profile is derived from the cached Access object it was loaded beside: every change
 * that could alter it (the user, a role, a permission) invalidates that Access, so a new
 * object comes back and the profile is loaded again. Keyed weakly by that object, the
 * profile needs no invalidation of its own and goes when its Access goes.
 */
@Injectable()
export class UserAccess implements AccessSource, OnModuleInit {
  private readonly profiles = new WeakMap<Access, Promise<MeDto | null>>();

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly roles: RolesService,
    private readonly access: AccessService,
  ) {}

  onModuleInit(): void {
    this.access.register('user', this);
  }

  async load(userId: string): Promise<Access | null> {
    const user = await this.withRoles(userId);
    if (!user) return null;
    const { isSuperAdmin, codes } = await this.roles.permissionCodes(user.roles);
    return { active: user.status === 'active', isSuperAdmin, permissions: new Set(codes) };
  }

  /** The signed-in user's Me, read once per Access object. */
  async me(principal: Pick<UserPrincipal, 'userId' | 'access'>): Promise<MeDto | null> {
    let profile = this.profiles.get(principal.access);
    if (!profile) {
      profile = this.loadProfile(principal.userId, principal.access);
      this.profiles.set(principal.access, profile);
      // A failed read is not remembered.
      profile.catch(() => this.profiles.delete(principal.access));
    }
    return profile;
  }

  /**
   * After a sign-in stamped `last_login_at` and `updated_at` with `at` (UsersService.stampLogin):
   * the user's Access is renewed (AccessService.refresh: other instances drop theirs), and the
   * profile this instance read, if any, is carried over with the new stamp rather than read
   * again — nothing else of it moved, and any other change renews the Access on its own.
   */
  stamped(userId: string, at: Date): Promise<void> {
    return this.access.refresh('user', userId, (previous, next) => {
      const profile = this.profiles.get(previous);
      if (!profile) return;
      const stamp = at.toISOString();
      const carried = profile.then((me) => me && { ...me, last_login_at: stamp, updated_at: stamp });
      this.profiles.set(next, carried);
      carried.catch(() => this.profiles.delete(next));
    });
  }

  /** Me of a user by id, through the access cache (after login, or after a change to themselves). */
  async meOf(userId: string): Promise<MeDto | null> {
    const access = await this.access.get('user', userId);
    return access ? this.me({ userId, access }) : null;
  }

  private async loadProfile(userId: string, access: Access): Promise<MeDto | null> {
    const user = await this.withRoles(userId);
    return user ? { ...toUserDto(user), permissions: [...access.permissions] } : null;
  }

  /** One statement: `findOne` with a relation runs two (a DISTINCT query for its LIMIT, then the join). */
  private async withRoles(userId: string): Promise<User | null> {
    const [user] = await this.users.find({ where: { id: userId }, relations: { roles: true } });
    return user ?? null;
  }
}
