import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './columns.js';

/**
 * Single-use tokens sent to a user by mail (password reset, email verification) in one
 * table with a `purpose`, replacing `password_reset_tokens` (pending reset links, valid
 * 30 minutes by default, are dropped: users ask for a new one).
 */
export class UserTokens1764700000000 implements MigrationInterface {
  name = 'UserTokens1764700000000';

  async up(q: QueryRunner): Promise<void> {
    const c = columns(q);
    await q.createTable(
      new Table({
        name: 'user_tokens',
        columns: [
          c.increments('id'),
          c.uuid('user_id'),
          c.str('purpose', 16, false),
          c.str('token_hash', 64, false),
          c.time('expires_at'),
          c.time('used_at', true),
          c.created,
        ],
        indices: [
          { name: 'IDX_user_tokens_user_purpose', columnNames: ['user_id', 'purpose'] },
          { name: 'UQ_user_tokens_hash', columnNames: ['token_hash'], isUnique: true },
        ],
      }),
    );
    await q.dropTable('password_reset_tokens', true);
  }

  async down(q: QueryRunner): Promise<void> {
    const c = columns(q);
    await q.createTable(
      new Table({
        name: 'password_reset_tokens',
        columns: [
          c.increments('id'),
          c.uuid('user_id'),
          c.str('token_hash', 64, false),
          c.time('expires_at'),
          c.time('used_at', true),
          c.created,
        ],
        indices: [
          { name: 'IDX_password_reset_tokens_user_id', columnNames: ['user_id'] },
          { name: 'UQ_password_reset_tokens_hash', columnNames: ['token_hash'], isUnique: true },
        ],
      }),
    );
    await q.dropTable('user_tokens', true);
  }
}
