import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app.config.js';
import { dataSourceOptions } from '../../src/database/data-source.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { SecondFactor1764800000000 } from '../../src/database/migrations/1764800000000-SecondFactor.js';
import { baseEnv, createTestDatabase, DB, type TestDatabase } from '../support/app.js';

/**
 * The SecondFactor migration on a database that already has users: up adds
 * `users.mfa_enabled` (false for everyone) and the two tables, down takes them away, and
 * neither loses a user or a role link (on SQLite, adding or dropping a column can mean
 * rebuilding `users`, which `user_roles` points at with ON DELETE CASCADE).
 */
describe(`the SecondFactor migration keeps existing data [${DB}]`, () => {
  let db: TestDatabase;
  const before = MIGRATIONS.indexOf(SecondFactor1764800000000);

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function open(migrations: typeof MIGRATIONS): Promise<DataSource> {
    const ds = new DataSource({ ...dataSourceOptions(loadConfig(baseEnv(db))), migrations });
    return ds.initialize();
  }

  it('up and down, users and their roles intact', async () => {
    expect(before).toBeGreaterThan(0);
    const old = await open(MIGRATIONS.slice(0, before));
    await old.runMigrations({ transaction: 'each' });
    await old.query("INSERT INTO roles (code, name) VALUES ('OLD_ROLE', 'Old role')");
    const [{ id: roleId }] = await old.query("SELECT id FROM roles WHERE code = 'OLD_ROLE'");
    await old.query(
      "INSERT INTO users (id, username, username_key, password_hash) VALUES ('00000000-0000-4000-8000-00000000000a', 'old', 'old', 'x')",
    );
    await old.query("INSERT INTO user_roles (user_id, role_id) VALUES ('00000000-0000-4000-8000-00000000000a', ?)", [roleId]);
    await old.destroy();

    const ds = await open(MIGRATIONS.slice(0, before + 1));
    try {
      expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual([SecondFactor1764800000000.name]);
      const users = await ds.query('SELECT id, mfa_enabled FROM users');
      expect(users.map((u: { id: string; mfa_enabled: unknown }) => [u.id, Number(u.mfa_enabled)])).toEqual([
        ['00000000-0000-4000-8000-00000000000a', 0],
      ]);
      expect(await ds.query('SELECT user_id FROM user_roles')).toEqual([{ user_id: '00000000-0000-4000-8000-00000000000a' }]);
      expect(await ds.query('SELECT COUNT(*) AS n FROM user_mfa').then((r: { n: unknown }[]) => Number(r[0].n))).toBe(0);

      await ds.undoLastMigration({ transaction: 'each' });
      const tables = (await ds.createQueryRunner().getTables()).map((t) => t.name.split('.').pop());
      expect(tables).not.toContain('user_mfa');
      expect(tables).not.toContain('mfa_recovery_codes');
      expect(await ds.createQueryRunner().hasColumn('users', 'mfa_enabled')).toBe(false);
      expect(await ds.query('SELECT user_id FROM user_roles')).toEqual([{ user_id: '00000000-0000-4000-8000-00000000000a' }]);
    } finally {
      await ds.destroy();
    }
  });
});
