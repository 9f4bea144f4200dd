import { In, type EntityManager } from 'typeorm';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Role } from './role.entity.js';

/**
 * The roles with these ids, with their permissions (what assigning them grants). An id
 * that names none is a mistake in the request body, so 400 VALIDATION_FAILED naming `field`.
 */
export async function findRolesOrFail(em: EntityManager, ids: number[], field = 'role_ids'): Promise<Role[]> {
  if (!ids.length) return [];
  const found = await em.getRepository(Role).find({ where: { id: In(ids) }, relations: { permissions: true } });
  const missing = ids.filter((id) => !found.some((r) => r.id === id));
  if (missing.length) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, { details: [{ field, message: `unknown role id(s): ${missing.join(', ')}` }] });
  }
  return found;
}
