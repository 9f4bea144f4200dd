import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { hasSuperAdminRole } from '../access/privilege.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { supportsRowLocks } from '../database/transaction.js';
import { SystemRole } from '../permissions/permission-catalogue.js';
import { Role } from '../roles/role.entity.js';
import { User } from './user.entity.js';

/**
 * The invariant "there is always an active SUPER_ADMIN" (API.md §5). Transactions that
 * may remove one call `lock` first: on MySQL it takes a row lock on the SUPER_ADMIN
 * role, so two admins disabling each other at once run one after the other and the
 * second sees the first's commit (InnoDB takes the read snapshot at the first plain
 * read, which comes after the lock). On SQLite `runTransaction` already serialises.
 */
@Injectable()
export class SuperAdmins {
  async lock(em: EntityManager): Promise<void> {
    if (!supportsRowLocks(em)) return;
    await em
      .getRepository(Role)
      .createQueryBuilder('r')
      .select('r.id')
      .where('r.code = :code', { code: SystemRole.SUPER_ADMIN })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** Active, not deleted SUPER_ADMIN users other than `exceptUserId`. */
  countOthers(em: EntityManager, exceptUserId: string): Promise<number> {
    return em
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin('u.roles', 'r', 'r.code = :code', { code: SystemRole.SUPER_ADMIN })
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
