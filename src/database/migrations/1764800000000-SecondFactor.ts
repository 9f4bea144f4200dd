import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './columns.js';

/**
 * The second factor (API.md §11): `users.mfa_enabled` (shown in the user objects), one
 * `user_mfa` row per user who set up TOTP (sealed secrets and the last time step used), and
 * single-use `mfa_recovery_codes` stored as keyed digests.
 */
export class SecondFactor1764800000000 implements MigrationInterface {
  name = 'SecondFactor1764800000000';

  async up(q: QueryRunner): Promise<void> {
    const c = columns(q);
    await q.addColumn('users', new TableColumn(c.flag('mfa_enabled', false)));
    await q.createTable(
      new Table({
        name: 'user_mfa',
        columns: [
          c.uuid('user_id', { isPrimary: true }),
          c.str('totp_secret', 255),
          c.str('pending_secret', 255),
          c.int('last_used_step'),
          c.time('enabled_at', true),
          c.created,
          c.updated,
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'mfa_recovery_codes',
        columns: [c.increments('id'), c.uuid('user_id'), c.str('code_hash', 64, false), c.time('used_at', true), c.created],
        indices: [
          { name: 'IDX_mfa_recovery_codes_user_id', columnNames: ['user_id'] },
          { name: 'UQ_mfa_recovery_codes_hash', columnNames: ['code_hash'], isUnique: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('mfa_recovery_codes', true);
    await q.dropTable('user_mfa', true);
    // Not q.dropColumn: on SQLite TypeORM would rebuild `users`, and a revert runs with foreign
    // keys on, so dropping the old table would cascade into user_roles. SQLite (3.35+) and
    // MySQL drop a plain column with the same statement, in place.
    await q.query('ALTER TABLE users DROP COLUMN mfa_enabled');
  }
}
