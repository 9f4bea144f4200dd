import { In, type EntityManager, type EntityTarget, type FindOptionsRelations, type SelectQueryBuilder } from 'typeorm';
import { AppException, detail } from '../errors/app.exception.js';
import { ErrorCode } from '../errors/error-codes.js';
import { fetchPage, orderBy, whereKeyword, type SortSpec } from '../pagination/page.js';
import type { SortablePageQuery } from '../pagination/page-query.dto.js';
import type { CatalogueEntry } from './catalogue-entry.js';

/** The fields every catalogue sorts by. */
export const CATALOGUE_SORTS = ['id', 'code', 'name', 'created_at', 'updated_at'] as const;
export type CatalogueSort = (typeof CATALOGUE_SORTS)[number];

/**
 * A page of entries: `keyword` matches code, name or description; default order id ascending.
 * The page is chosen without joins (so LIMIT counts entries); the caller loads relations.
 */
export async function fetchCataloguePage<T extends CatalogueEntry>(
  qb: SelectQueryBuilder<T>,
  query: SortablePageQuery<CatalogueSort>,
): Promise<{ rows: T[]; total: number }> {
  const a = qb.alias;
  const sort: SortSpec<CatalogueSort> = {
    columns: { id: `${a}.id`, code: `${a}.code`, name: `${a}.name`, created_at: `${a}.createdAt`, updated_at: `${a}.updatedAt` },
    default: { field: 'id', order: 'asc' },
    tiebreak: `${a}.id`,
  };
  whereKeyword(qb, [`${a}.code`, `${a}.name`, `${a}.description`], query.keyword);
  orderBy(qb, sort, query.sort, query.order);
  return fetchPage(qb, query);
}

/**
 * The entries with these ids. An id that names none is a mistake in the request body
 * (not a missing path resource), so it is 400 VALIDATION_FAILED naming `field`.
 */
export async function findEntriesOrFail<T extends CatalogueEntry>(
  em: EntityManager,
  entity: EntityTarget<T>,
  ids: number[],
  field: string,
  relations?: FindOptionsRelations<T>,
): Promise<T[]> {
  if (!ids.length) return [];
  const found = await em.getRepository(entity).find({ where: { id: In(ids) } as never, relations });
  const missing = ids.filter((id) => !found.some((e) => e.id === id));
  if (missing.length) {
    const noun = field.replace(/_ids$/, '');
    throw new AppException(ErrorCode.VALIDATION_FAILED, {
      details: [detail(field, 'unknown_id', { ids: missing.join(', ') }, `unknown ${noun} id(s): ${missing.join(', ')}`)],
    });
  }
  return found;
}

/** One entry by id, or 404. */
export async function findEntryOrFail<T extends CatalogueEntry>(
  em: EntityManager,
  entity: EntityTarget<T>,
  id: number,
  relations?: FindOptionsRelations<T>,
): Promise<T> {
  const entry = await em.getRepository(entity).findOne({ where: { id } as never, relations });
  if (!entry) throw new AppException(ErrorCode.NOT_FOUND);
  return entry;
}

export interface EntryChange {
  changes: Partial<CatalogueEntry>;
  /** The names of the fields that change (for the audit entry). */
  fields: string[];
  recode: boolean;
}

/**
 * What a PATCH changes. A system entry cannot be re-coded (409 PROTECTED_RESOURCE): the
 * code is what routes and the seed name it by.
 */
export function entryChange(entry: CatalogueEntry, patch: { code?: string; name?: string; description?: string | null }): EntryChange {
  const recode = patch.code !== undefined && patch.code !== entry.code;
  if (recode && entry.isSystem) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
  const changes: Partial<CatalogueEntry> = {};
  if (recode) changes.code = patch.code;
  if (patch.name !== undefined && patch.name !== entry.name) changes.name = patch.name;
  if (patch.description !== undefined && patch.description !== entry.description) changes.description = patch.description;
  return { changes, fields: Object.keys(changes), recode };
}

/** A system entry cannot be deleted (409 PROTECTED_RESOURCE). */
export function assertDeletable(entry: CatalogueEntry): void {
  if (entry.isSystem) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
}
