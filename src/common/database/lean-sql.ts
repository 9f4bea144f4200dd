import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';

/**
 * Hand-written statements for the hottest paths (those every login runs, and every audit
 * insert; docs/performance.md). TypeORM's query builder and repository methods spend more
 * time building a statement, and reading back the defaults of an inserted row, than SQLite
 * spends running it; these three
 * functions keep what matters of TypeORM — its drivers' conversion of values (dates, booleans,
 * JSON columns) both ways, its transactions and SQLite gate — and skip the rest.
 *
 * The SQL is the caller's, with `:name` parameters, and must run on SQLite and MySQL alike
 * (plain table and column names, no quoting, no dialect functions). It goes through the
 * transaction of `em` when there is one.
 */

export interface LeanResult {
  /** The rows of a SELECT, as the driver returns them (column names, unconverted values). */
  rows: Record<string, unknown>[];
  /** Rows changed by an INSERT, UPDATE or DELETE. */
  affected: number;
}

async function run(em: EntityManager, sql: string, params: unknown[]): Promise<LeanResult> {
  // Like EntityManager.query: the transaction's runner, or one for this statement (on
  // SQLite, the shared one every statement uses), with the structured result kept.
  const runner: QueryRunner = em.queryRunner ?? em.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    return { rows: Array.isArray(result.records) ? result.records : [], affected: result.affected ?? 0 };
  } finally {
    if (!em.queryRunner) await runner.release();
  }
}

/** Runs `sql` with `:name` parameters, bound as the query builder binds them (a Date as the driver stores it). */
export function leanQuery(em: EntityManager, sql: string, params: Record<string, unknown> = {}): Promise<LeanResult> {
  const [query, bound] = em.connection.driver.escapeQueryWithParameters(sql, params);
  return run(em, query, bound);
}

const insertStatements = new WeakMap<EntityMetadata, Map<string, string>>();

/**
 * Inserts one row of `target` with exactly the properties given (columns left out take their
 * database defaults, and are not read back: the caller has what it needs). Values are
 * converted per column as TypeORM persists them.
 */
export async function leanInsert<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, values: Partial<T>): Promise<void> {
  const meta = em.connection.getMetadata(target);
  const driver = em.connection.driver;
  const columns = meta.columns.filter((c) => (values as ObjectLiteral)[c.propertyName] !== undefined);
  const key = columns.map((c) => c.propertyName).join(',');
  let statements = insertStatements.get(meta);
  if (!statements) insertStatements.set(meta, (statements = new Map()));
  let sql = statements.get(key);
  if (!sql) {
    const names = columns.map((c) => c.databaseName).join(', ');
    const marks = columns.map((_, i) => driver.createParameter(`p${i}`, i)).join(', ');
    sql = `INSERT INTO ${meta.tableName} (${names}) VALUES (${marks})`;
    statements.set(key, sql);
  }
  await run(
    em,
    sql,
    columns.map((col) => driver.preparePersistentValue((values as ObjectLiteral)[col.propertyName], col)),
  );
}

/**
 * An entity of `target` from a row of `leanQuery` (`SELECT *` or any subset of columns):
 * each column present is converted as TypeORM hydrates it. Relations are not loaded.
 */
export function hydrate<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const meta = em.connection.getMetadata(target);
  const driver = em.connection.driver;
  const entity = meta.create() as T;
  for (const col of meta.columns) {
    if (col.databaseName in row) col.setEntityValue(entity, driver.prepareHydratedValue(row[col.databaseName], col));
  }
  return entity;
}
