import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SystemRole } from '../authz/permission-catalogue.js';
import { hasSuperAdminRole } from '../authz/privilege.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { RolesService } from '../roles/roles.service.js';
import { User } from './user.entity.js';
import { USER_ROLES } from './users.service.js';

/**
 * The invariant "there is always an active SUPER_ADMIN" (docs/api.md §5). Transactions that
 * may remove one call `lock` first: on MySQL it takes a row lock on the SUPER_ADMIN
 * role, so two admins disabling each other at once run one after the other and the
 * second sees the first's commit (InnoDB takes the read snapshot at the first plain
 * read, which comes after the lock). On SQLite `runTransaction` already serialises.
 */
@Injectable()
export class SuperAdmins {
  constructor(private readonly roles: RolesService) {}

  async lock(em: EntityManager): Promise<void> {
    await this.roles.lockSuperAdmin(em);
  }

  /** Active, not deleted SUPER_ADMIN users other than `exceptUserId`. */
  async countOthers(em: EntityManager, exceptUserId: string): Promise<number> {
    const [roleId] = await this.roles.idsByCode([SystemRole.SUPER_ADMIN], em);
    if (roleId === undefined) return 0;
    return em
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin(USER_ROLES.table, 'ur', `ur.${USER_ROLES.owner} = u.id AND ur.${USER_ROLES.item} = :roleId`, { roleId })
      .where('u.status = :active', { active: 'active' })
      .andWhere('u.id <> :id', { id: exceptUserId })
      .getCount();
  }

  /**
   * 409 PROTECTED_RESOURCE when `user` is an active SUPER_ADMIN and no other is left:
   * call it before disabling or deleting them, or taking their SUPER_ADMIN role away.
   */
  async assertNotLast(em: EntityManager, user: User): Promise<void> {
    if (!hasSuperAdminRole(user) || user.status !== 'active') return;
    if ((await this.countOthers(em, user.id)) === 0) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
  }
}
