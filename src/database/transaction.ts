import type { DataSource, EntityManager } from 'typeorm';

/** InnoDB picked this transaction as a deadlock victim: running it again is the documented remedy. */
function isDeadlock(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  return (e?.driverError?.code ?? e?.code) === 'ER_LOCK_DEADLOCK';
}

const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * TypeORM runs every SQLite transaction on the one shared connection, so two
 * concurrent `transaction()` calls interleave: the second becomes a SAVEPOINT inside
 * the first, and a rollback of either undoes the wrong statements. Transactions run
 * through here wait for each other instead. (MySQL gives each its own connection.)
 */
function serialisedOnSqlite<T>(dataSource: DataSource, run: () => Promise<T>): Promise<T> {
  const type = dataSource.options.type;
  if (type !== 'better-sqlite3') return run();
  const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
  const next = previous.then(run, run);
  sqliteQueues.set(dataSource, next.catch(() => undefined));
  return next;
}

/**
 * Runs `work` in one transaction; on a MySQL deadlock it runs it again (up to
 * `attempts` times in all), so concurrent set-replacing writes never surface as 5xx.
 * `work` must therefore be safe to repeat: read, decide and write inside it.
 * https://dev.mysql.com/doc/refman/8.4/en/innodb-deadlocks-handling.html
 */
export async function runTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await serialisedOnSqlite(dataSource, () => dataSource.transaction(work));
    } catch (err) {
      if (attempt >= attempts || !isDeadlock(err)) throw err;
    }
  }
}

/** True on MySQL/MariaDB, where `SELECT … FOR UPDATE` serialises concurrent writers. */
export function supportsRowLocks(em: EntityManager): boolean {
  const type = em.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}
