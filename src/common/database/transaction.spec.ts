import { setTimeout as tick } from 'node:timers/promises';
import { DataSource, EntitySchema } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTransaction, setSqliteGateMaxWait } from './transaction.js';

interface Row {
  id: number;
  name: string;
}
const RowSchema = new EntitySchema<Row>({
  name: 'row',
  columns: { id: { type: Number, primary: true, generated: true }, name: { type: String, unique: true } },
});

/** A real in-memory SQLite database, as the service runs it (one shared connection). */
describe('runTransaction on SQLite', () => {
  let ds: DataSource;
  beforeEach(async () => {
    ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [RowSchema] });
    await ds.initialize();
    await ds.query('CREATE TABLE "row" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL UNIQUE)');
  });
  afterEach(() => ds.destroy());
  const names = async () => (await ds.getRepository(RowSchema).find({ order: { name: 'ASC' } })).map((r) => r.name);

  it('a rollback undoes only its own transaction, not one that ran concurrently', async () => {
    const failing = runTransaction(ds, async (em) => {
      await em.getRepository(RowSchema).insert({ name: 'doomed' });
      await tick(20);
      throw new Error('roll me back');
    });
    const ok = runTransaction(ds, async (em) => {
      await em.getRepository(RowSchema).insert({ name: 'kept' });
    });
    await expect(failing).rejects.toThrow('roll me back');
    await ok;
    expect(await names()).toEqual(['kept']);
  });

  it('a statement from outside waits for an open transaction, so its rollback cannot take it along', async () => {
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    const failing = runTransaction(ds, async (em) => {
      await em.getRepository(RowSchema).insert({ name: 'doomed' });
      opened();
      await tick(20);
      throw new Error('roll me back');
    });
    await isOpen;
    const outside = ds.getRepository(RowSchema).insert({ name: 'outside' });
    await expect(failing).rejects.toThrow('roll me back');
    await outside;
    expect(await names()).toEqual(['outside']);
  });

  it('a transaction waits for statements already in flight, and runs on its own runner', async () => {
    const outside = ds.getRepository(RowSchema).insert({ name: 'first' });
    const tx = runTransaction(ds, async (em) => {
      await em.getRepository(RowSchema).insert({ name: 'second' });
      expect(em.queryRunner).not.toBe(ds.manager.queryRunner ?? ds.createQueryRunner());
      return 'done';
    });
    await outside;
    expect(await tx).toBe('done');
    expect(await names()).toEqual(['first', 'second']);
  });

  it('statements waiting on a transaction run once it commits', async () => {
    const tx = runTransaction(ds, async (em) => {
      await tick(10);
      await em.getRepository(RowSchema).insert({ name: 'a' });
    });
    await tick(1);
    const later = ds.getRepository(RowSchema).count();
    await tx;
    expect(await later).toBe(1);
  });

  it('a query that wrongly bypasses em inside a transaction stops waiting after the limit instead of hanging', async () => {
    setSqliteGateMaxWait(100);
    try {
      const result = await runTransaction(ds, async (em) => {
        await em.getRepository(RowSchema).insert({ name: 'via em' });
        return ds.getRepository(RowSchema).count(); // the mistake: not through em
      });
      expect(result).toBe(1);
      expect(await names()).toEqual(['via em']);
    } finally {
      setSqliteGateMaxWait(5_000);
    }
  });
});
