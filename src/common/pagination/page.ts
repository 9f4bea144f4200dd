import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { PageQueryDto, SortOrder } from './page-query.dto.js';

/** A page of a list (docs/api.md §1): `{ items, total, page, page_size }`. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

/** The LIKE escape character; `!` needs no escaping in SQL string literals on SQLite or MySQL. */
const ESCAPE = '!';

/** `%`, `_` and the escape character itself are matched literally. */
export function likePattern(keyword: string): string {
  return `%${keyword.toLowerCase().replace(/[!%_]/g, (c) => ESCAPE + c)}%`;
}

/**
 * Keyword filter: a case-insensitive substring of any of `columns` (property paths such
 * as `u.username`, never user input). `LOWER(col) LIKE lower-cased pattern` reads the
 * same on SQLite and MariaDB, whatever the column's collation.
 */
export function whereKeyword<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, columns: string[], keyword: string | undefined): void {
  const kw = keyword?.trim();
  if (!kw) return;
  const clause = columns.map((c) => `LOWER(${c}) LIKE :kw ESCAPE '${ESCAPE}'`).join(' OR ');
  qb.andWhere(`(${clause})`, { kw: likePattern(kw) });
}

export interface SortSpec<F extends string> {
  /** Allowed sort field → property path of the query builder. */
  columns: Record<F, string>;
  /** Used when the query names no `sort`. */
  default: { field: F; order: SortOrder };
  /** A unique column appended last, so equal values still page stably. */
  tiebreak: string;
}

/** Orders by the requested field (already validated against the same allow-list). */
export function orderBy<T extends ObjectLiteral, F extends string>(
  qb: SelectQueryBuilder<T>,
  spec: SortSpec<F>,
  sort: F | undefined,
  order: SortOrder | undefined,
): void {
  const field = sort && Object.hasOwn(spec.columns, sort) ? sort : spec.default.field;
  const direction = (order ?? (sort ? 'asc' : spec.default.order)) === 'desc' ? 'DESC' : 'ASC';
  qb.orderBy(spec.columns[field], direction);
  if (spec.columns[field] !== spec.tiebreak) qb.addOrderBy(spec.tiebreak, direction);
}

/** Runs the (filtered, ordered) query for one page; rows are mapped by the caller. */
export async function fetchPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  query: PageQueryDto,
): Promise<{ rows: T[]; total: number }> {
  const [rows, total] = await qb
    .skip((query.page - 1) * query.page_size)
    .take(query.page_size)
    .getManyAndCount();
  return { rows, total };
}

export function toPage<T>(items: T[], total: number, query: PageQueryDto): Page<T> {
  return { items, total, page: query.page, page_size: query.page_size };
}
