import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './columns.js';

/**
 * Sessions get an absolute end (`ends_at`, SESSION_MAX_LIFETIME after sign-in: refreshes
 * extend a session up to it, never beyond), and a kind: `api` (POST /auth/login), `oauth`
 * (an OAuth grant, with its `client_id`) or `sso` (the hosted pages' browser session).
 * Existing sessions end when they expire now.
 */
export class SessionLifetime1764700000001 implements MigrationInterface {
  name = 'SessionLifetime1764700000001';

  async up(q: QueryRunner): Promise<void> {
    const c = columns(q);
    await q.addColumns('sessions', [
      new TableColumn(c.time('ends_at', true)),
      new TableColumn({ ...c.str('kind', 8, false), default: "'api'" }),
      new TableColumn(c.str('client_id', 64, true)),
    ]);
    await q.query('UPDATE sessions SET ends_at = expires_at');
    await q.changeColumn('sessions', 'ends_at', new TableColumn(c.time('ends_at', false)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('sessions', ['ends_at', 'kind', 'client_id']);
  }
}
