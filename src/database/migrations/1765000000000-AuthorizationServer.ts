import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './columns.js';

/**
 * The authorization server (docs/api.md §8, §9): signing keys (private halves sealed),
 * OAuth clients and the roles of their service accounts, and the long-lived models of
 * oidc-provider (grants, refresh tokens, browser sessions).
 */
export class AuthorizationServer1765000000000 implements MigrationInterface {
  name = 'AuthorizationServer1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const c = columns(q);
    await q.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { ...c.str('kid', 64, false), isPrimary: true },
          c.str('alg', 8, false),
          c.str('status', 8, false),
          c.text('public_jwk', false),
          c.text('private_jwk', false),
          c.created,
          c.time('activated_at', true),
          c.time('retired_at', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'clients',
        columns: [
          c.uuid('id', { isPrimary: true }),
          c.str('client_id', 64, false),
          c.str('name', 128, false),
          c.str('type', 16, false),
          c.text('redirect_uris', false),
          c.text('post_logout_redirect_uris', false),
          c.text('grant_types', false),
          c.text('scopes', false),
          c.flag('first_party', false),
          { ...c.str('status', 16, false), default: "'active'" },
          c.text('secrets', true),
          c.created,
          c.updated,
        ],
        indices: [{ name: 'UQ_clients_client_id', columnNames: ['client_id'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'client_roles',
        columns: [c.uuid('client_id', { isPrimary: true }), { name: 'role_id', type: 'integer', isPrimary: true }],
        // Index names are the ones TypeORM derives for a @JoinTable, so entities and schema agree.
        indices: [
          { name: 'IDX_166e89dbdae574c97c2c20c2ee', columnNames: ['client_id'] },
          { name: 'IDX_ae2c7883bac616d2dce5e09756', columnNames: ['role_id'] },
        ],
        foreignKeys: [
          {
            name: 'FK_client_roles_client',
            columnNames: ['client_id'],
            referencedTableName: 'clients',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'CASCADE',
          },
          {
            name: 'FK_client_roles_role',
            columnNames: ['role_id'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'CASCADE',
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'oauth_models',
        columns: [
          { ...c.str('model', 32, false), isPrimary: true },
          { ...c.str('id', 64, false), isPrimary: true },
          c.text('payload', false),
          c.str('grant_id', 64),
          c.str('account_id', 36),
          c.str('uid', 64),
          c.str('session_id', 36),
          c.time('expires_at', true),
        ],
        indices: [
          { name: 'IDX_oauth_models_grant', columnNames: ['grant_id'] },
          { name: 'IDX_oauth_models_uid', columnNames: ['uid'] },
          { name: 'IDX_oauth_models_account', columnNames: ['model', 'account_id'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['oauth_models', 'client_roles', 'clients', 'signing_keys']) await q.dropTable(table, true);
  }
}
