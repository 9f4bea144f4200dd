import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** InnoDB picked this transaction as a deadlock victim: running it again is the documented remedy. */
function isDeadlock(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  return (e?.driverError?.code ?? e?.code) === 'ER_LOCK_DEADLOCK';
}

/** Set while code runs inside a transaction started by `runTransaction`. */
const insideTransaction = new AsyncLocalStorage<true>();

/**
 * TypeORM runs everything on SQLite through one shared connection (one QueryRunner). So two
 * concurrent `transaction()` calls interleave — the second becomes a SAVEPOINT inside the
 * first — and a statement of an unrelated request issued while a transaction is open runs
 * inside it: a rollback would undo it too (say, a refresh rotation whose new token the client
 * already holds). The gate makes a transaction exclusive on that connection: transactions run
 * one after another, each waits for the statements already in flight to finish, and
 * statements from outside wait while it runs. (MySQL gives each transaction its own connection.)
 */
class SqliteGate {
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private busy: Promise<void> | null = null;

  constructor(runner: QueryRunner) {
    const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
    (runner as { query: unknown }).query = async (...args: unknown[]) => {
      if (insideTransaction.getStore()) return query(...args);
      while (this.busy) await this.busy;
      this.inFlight++;
      try {
        return await query(...args);
      } finally {
        if (--this.inFlight === 0 && this.drained) {
          this.drained();
          this.drained = null;
        }
      }
    };
  }

  exclusive<T>(run: () => Promise<T>): Promise<T> {
    const turn = async (): Promise<T> => {
      let release!: () => void;
      this.busy = new Promise<void>((r) => (release = r));
      try {
        if (this.inFlight > 0) await new Promise<void>((r) => (this.drained = r));
        return await insideTransaction.run(true, run);
      } finally {
        this.busy = null;
        release();
      }
    };
    const next = this.queue.then(turn, turn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

const gates = new WeakMap<DataSource, SqliteGate>();

function sqliteGate(dataSource: DataSource): SqliteGate | null {
  if (dataSource.options.type !== 'better-sqlite3') return null;
  let gate = gates.get(dataSource);
  if (!gate) {
    // better-sqlite3: createQueryRunner() hands out the one shared runner every query uses.
    gate = new SqliteGate(dataSource.createQueryRunner());
    gates.set(dataSource, gate);
  }
  return gate;
}

/**
 * Runs `work` in one transaction; on a MySQL deadlock it runs it again (up to
 * `attempts` times in all), so concurrent set-replacing writes never surface as 5xx.
 * `work` must therefore be safe to repeat: read, decide and write inside it. Every
 * transaction of the service goes through here (see SqliteGate for why).
 * https://dev.mysql.com/doc/refman/8.4/en/innodb-deadlocks-handling.html
 */
export async function runTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>, attempts = 3): Promise<T> {
  const gate = sqliteGate(dataSource);
  // Already inside one (a helper called from a transaction): nest as a savepoint.
  if (insideTransaction.getStore()) return dataSource.transaction(work);
  for (let attempt = 1; ; attempt++) {
    try {
      return await (gate ? gate.exclusive(() => dataSource.transaction(work)) : insideTransaction.run(true, () => dataSource.transaction(work)));
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
