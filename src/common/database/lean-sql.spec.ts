import { DataSource, EntitySchema } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hydrate, leanInsert, leanQuery } from './lean-sql.js';
import { runTransaction } from './transaction.js';

interface Thing {
  key: string;
  count: number;
  active: boolean;
  seenAt: Date;
  endsAt: Date | null;
  detail: Record<string, unknown> | null;
  label: string;
}
const ThingSchema = new EntitySchema<Thing>({
  name: 'thing',
  tableName: 'things',
  columns: {
    key: { type: 'varchar', length: 64, primary: true },
    count: { type: 'integer', default: 0 },
    active: { type: 'boolean', default: true },
    seenAt: { name: 'seen_at', type: 'datetime', precision: 6 },
    endsAt: { name: 'ends_at', type: 'datetime', precision: 6, nullable: true },
    detail: { type: 'simple-json', nullable: true },
    label: { type: 'varchar', length: 16, default: 'none' },
  },
});

/** A real SQLite database, as the service runs it: values must read back as TypeORM itself reads them. */
describe('lean statements on SQLite', () => {
  let ds: DataSource;
  beforeEach(async () => {
    ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [ThingSchema] });
    await ds.initialize();
    // The table by hand, as a migration would make it (the schema never comes from the entities).
    await ds.query(
      'CREATE TABLE things (key varchar(64) PRIMARY KEY NOT NULL, count integer NOT NULL DEFAULT 0, ' +
        "active boolean NOT NULL DEFAULT 1, seen_at datetime(6) NOT NULL, ends_at datetime(6), detail text, label varchar(16) NOT NULL DEFAULT 'none')",
    );
  });
  afterEach(() => ds.destroy());

  const seenAt = new Date('2026-12-03T07:08:09.123Z');

  it('inserts what TypeORM reads back unchanged; columns left out take their defaults', async () => {
    await leanInsert(ds.manager, ThingSchema, { key: 'a', count: 3, active: false, seenAt, endsAt: null, detail: { n: 1, s: 'é' } });
    const viaTypeorm = await ds.getRepository(ThingSchema).findOneByOrFail({ key: 'a' });
    expect(viaTypeorm).toEqual({ key: 'a', count: 3, active: false, seenAt, endsAt: null, detail: { n: 1, s: 'é' }, label: 'none' });
  });

  it('hydrates a row of a hand-written SELECT as TypeORM hydrates it', async () => {
    await ds.getRepository(ThingSchema).insert({ key: 'b', count: 7, active: true, seenAt, endsAt: seenAt, detail: null, label: 'x' });
    const { rows } = await leanQuery(ds.manager, 'SELECT * FROM things WHERE key = :key', { key: 'b' });
    expect(rows).toHaveLength(1);
    expect(hydrate(ds.manager, ThingSchema, rows[0])).toEqual(await ds.getRepository(ThingSchema).findOneByOrFail({ key: 'b' }));
  });

  it('binds dates as stored, and counts the rows a write changed', async () => {
    await leanInsert(ds.manager, ThingSchema, { key: 'c', seenAt });
    await leanInsert(ds.manager, ThingSchema, { key: 'd', seenAt: new Date(seenAt.getTime() + 1) });
    const changed = await leanQuery(ds.manager, 'UPDATE things SET count = count + 1 WHERE seen_at <= :at', { at: seenAt });
    expect(changed.affected).toBe(1);
    expect((await leanQuery(ds.manager, 'DELETE FROM things WHERE key IN (:...keys)', { keys: ['c', 'd', 'zz'] })).affected).toBe(2);
  });

  it('runs inside the caller’s transaction, and goes with its rollback', async () => {
    const failing = runTransaction(ds, async (em) => {
      await leanInsert(em, ThingSchema, { key: 'e', seenAt });
      expect((await leanQuery(em, 'SELECT key FROM things')).rows).toEqual([{ key: 'e' }]);
      throw new Error('roll back');
    });
    await expect(failing).rejects.toThrow('roll back');
    expect((await leanQuery(ds.manager, 'SELECT key FROM things')).rows).toEqual([]);
  });

  it('fails on a duplicate key as TypeORM does (a QueryFailedError with the driver code)', async () => {
    await leanInsert(ds.manager, ThingSchema, { key: 'f', seenAt });
    await expect(leanInsert(ds.manager, ThingSchema, { key: 'f', seenAt })).rejects.toMatchObject({
      name: 'QueryFailedError',
      driverError: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' },
    });
  });
});
