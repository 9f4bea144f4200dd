import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** InnoDB picked this transaction as a deadlock victim: running it again is the documented remedy. */
function isDeadlock(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  return (e?.driverError?.code ?? e?.code) === 'ER_LOCK_DEADLOCK';
}

/**
 * TypeORM runs everything on SQLite through one shared connection and one shared QueryRunner.
 * So two concurrent `transaction()` calls interleave — the second becomes a SAVEPOINT inside
 * the first — and a statement of an unrelated request issued while a transaction is open runs
 * inside it: a rollback would undo it too (say, a refresh rotation whose new token the client
 * already holds). The gate makes a transaction exclusive on the connection: transactions run
 * one after another on a QueryRunner of their own, each waits for the statements already in
 * flight on the shared runner, and statements on the shared runner wait while it runs.
 * Inside `work`, every query must therefore go through `em` (all of ours do): one through a
 * repository of the shared runner would wait for the transaction that waits for it. Should that
 * ever happen, the statement stops waiting after `gateMaxWaitMs`, runs inside the open
 * transaction (the behaviour without the gate) and logs an error naming the mistake, so a bug
 * degrades one request instead of stopping the database for all.
 * (An AsyncLocalStorage could tell the two apart, but on Node 20 its promise hooks cost
 * ~15 % of throughput on every request.) MySQL gives each transaction its own connection.
 */
let gateMaxWaitMs = 5_000;

/** How long a statement waits for an open SQLite transaction before it logs and runs anyway. */
export function setSqliteGateMaxWait(ms: number): void {
  gateMaxWaitMs = ms;
}

class SqliteGate {
  private readonly logger = new Logger('Database');
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private busy: Promise<void> | null = null;
  private readonly txRunner: QueryRunner;

  constructor(dataSource: DataSource) {
    // better-sqlite3: createQueryRunner() hands out the one shared runner every query uses.
    const shared = dataSource.createQueryRunner();
    const query = shared.query.bind(shared) as (...args: unknown[]) => Promise<unknown>;
    (shared as { query: unknown }).query = async (...args: unknown[]) => {
      if (this.busy) await this.waitForTransaction(String(args[0]));
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
    // A second runner on the same connection, kept for good (it caches prepared statements).
    const Runner = shared.constructor as new (driver: DataSource['driver']) => QueryRunner;
    this.txRunner = new Runner(dataSource.driver);
    Object.assign(this.txRunner, { manager: dataSource.createEntityManager(this.txRunner) });
  }

  private async waitForTransaction(sql: string): Promise<void> {
    const deadline = Date.now() + gateMaxWaitMs;
    while (this.busy) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.logger.error(
          `A statement waited ${gateMaxWaitMs} ms for an open transaction and now runs inside it: is a query inside runTransaction() not using its em? (${sql.slice(0, 80)})`,
        );
        return;
      }
      await Promise.race([this.busy, sleep(left)]);
    }
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const turn = async (): Promise<T> => {
      let release!: () => void;
      this.busy = new Promise<void>((r) => (release = r));
      try {
        if (this.inFlight > 0) await new Promise<void>((r) => (this.drained = r));
        return await this.txRunner.manager.transaction(work);
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
    gate = new SqliteGate(dataSource);
    gates.set(dataSource, gate);
  }
  return gate;
}

/**
 * Runs `work` in one transaction; on a MySQL deadlock it runs it again (up to
 * `attempts` times in all), so concurrent set-replacing writes never surface as 5xx.
 * `work` must therefore be safe to repeat: read, decide and write inside it, through `em`
 * only, and never call runTransaction again (pass `em` on instead). Every transaction of the
 * service goes through here (see SqliteGate for why).
 * https://dev.mysql.com/doc/refman/8.4/en/innodb-deadlocks-handling.html
 */
export async function runTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>, attempts = 3): Promise<T> {
  const gate = sqliteGate(dataSource);
  for (let attempt = 1; ; attempt++) {
    try {
      return await (gate ? gate.transaction(work) : dataSource.transaction(work));
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
