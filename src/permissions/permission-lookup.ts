import { In, type EntityManager } from 'typeorm';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Permission } from './permission.entity.js';

/**
 * The permissions with these ids. An id that names none is a mistake in the request
 * body (not a missing path resource), so it is 400 VALIDATION_FAILED naming `field`.
 */
export async function findPermissionsOrFail(em: EntityManager, ids: number[], field = 'permission_ids'): Promise<Permission[]> {
  if (!ids.length) return [];
  const found = await em.getRepository(Permission).find({ where: { id: In(ids) } });
  const missing = ids.filter((id) => !found.some((p) => p.id === id));
  if (missing.length) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, { details: [{ field, message: `unknown permission id(s): ${missing.join(', ')}` }] });
  }
  return found;
}
