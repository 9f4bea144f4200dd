import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * The whole data model. Written with TypeORM's driver-neutral Table API, so this one
 * migration set runs on SQLite and on MySQL/MariaDB alike.
 */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb';
    const now = mysql ? 'CURRENT_TIMESTAMP(6)' : "datetime('now')";
    const uuid = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      ...extra,
    });
    const str = (name: string, length: number, nullable = true): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    });
    const time = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: 6,
      isNullable: nullable,
    });
    const created: TableColumnOptions = { ...time('created_at'), default: now };
    const updated: TableColumnOptions = { ...time('updated_at'), default: now, ...(mysql ? { onUpdate: now } : {}) };
    const increments = (name: string): TableColumnOptions => ({
      name,
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    });
    const flag = (name: string, value: boolean): TableColumnOptions => ({
      name,
      type: 'boolean',
      default: value ? 1 : 0,
    });

    await q.createTable(
      new Table({
        name: 'permissions',
        columns: [
          increments('id'),
          str('code', 128, false),
          str('name', 64, false),
          str('description', 255),
          flag('is_system', false),
          created,
          updated,
        ],
        indices: [{ name: 'UQ_permissions_code', columnNames: ['code'], isUnique: true }],
      }),
    );

    await q.createTable(
      new Table({
        name: 'roles',
        columns: [
          increments('id'),
          str('code', 64, false),
          str('name', 64, false),
          str('description', 255),
          flag('is_system', false),
          created,
          updated,
        ],
        indices: [{ name: 'UQ_roles_code', columnNames: ['code'], isUnique: true }],
      }),
    );

    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          uuid('id', { isPrimary: true }),
          str('username', 32, false),
          str('username_key', 32),
          str('email', 254),
          str('email_key', 254),
          str('phone', 20),
          str('phone_key', 20),
          str('nickname', 64),
          str('avatar', 512),
          str('password_hash', 255, false),
          { ...str('status', 16, false), default: "'active'" },
          flag('email_verified', false),
          time('last_login_at', true),
          created,
          updated,
          time('deleted_at', true),
        ],
        indices: [
          { name: 'UQ_users_username_key', columnNames: ['username_key'], isUnique: true },
          { name: 'UQ_users_email_key', columnNames: ['email_key'], isUnique: true },
          { name: 'UQ_users_phone_key', columnNames: ['phone_key'], isUnique: true },
          { name: 'IDX_users_deleted_at', columnNames: ['deleted_at'] },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'user_roles',
        columns: [uuid('user_id', { isPrimary: true }), { name: 'role_id', type: 'integer', isPrimary: true }],
        // Index names are the ones TypeORM derives for a @JoinTable, so entities and schema agree.
        indices: [
          { name: 'IDX_87b8888186ca9769c960e92687', columnNames: ['user_id'] },
          { name: 'IDX_b23c65e50a758245a33ee35fda', columnNames: ['role_id'] },
        ],
        foreignKeys: [
          {
            name: 'FK_user_roles_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'CASCADE',
          },
          {
            name: 'FK_user_roles_role',
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
        name: 'role_permissions',
        columns: [
          { name: 'role_id', type: 'integer', isPrimary: true },
          { name: 'permission_id', type: 'integer', isPrimary: true },
        ],
        indices: [
          { name: 'IDX_178199805b901ccd220ab7740e', columnNames: ['role_id'] },
          { name: 'IDX_17022daf3f885f7d35423e9971', columnNames: ['permission_id'] },
        ],
        foreignKeys: [
          {
            name: 'FK_role_permissions_role',
            columnNames: ['role_id'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'CASCADE',
          },
          {
            name: 'FK_role_permissions_permission',
            columnNames: ['permission_id'],
            referencedTableName: 'permissions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'CASCADE',
          },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'sessions',
        columns: [
          uuid('id', { isPrimary: true }),
          uuid('user_id'),
          uuid('refresh_jti'),
          uuid('previous_jti', { isNullable: true }),
          time('rotated_at', true),
          str('ip', 45),
          str('user_agent', 512),
          created,
          time('last_used_at'),
          time('expires_at'),
          time('revoked_at', true),
          str('revoked_reason', 32),
        ],
        indices: [{ name: 'IDX_sessions_user_id', columnNames: ['user_id'] }],
      }),
    );

    await q.createTable(
      new Table({
        name: 'password_reset_tokens',
        columns: [increments('id'), uuid('user_id'), str('token_hash', 64, false), time('expires_at'), time('used_at', true), created],
        indices: [
          { name: 'IDX_password_reset_tokens_user_id', columnNames: ['user_id'] },
          { name: 'UQ_password_reset_tokens_hash', columnNames: ['token_hash'], isUnique: true },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'login_failures',
        columns: [
          { ...str('login_key', 255, false), isPrimary: true },
          { name: 'failed_count', type: 'integer', default: 0 },
          time('first_failed_at'),
          time('last_failed_at'),
          time('locked_until', true),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'audit_logs',
        columns: [
          increments('id'),
          str('action', 64, false),
          uuid('actor_id', { isNullable: true }),
          str('target_type', 32),
          str('target_id', 64),
          str('ip', 45),
          str('user_agent', 512),
          flag('success', true),
          { name: 'detail', type: 'text', isNullable: true },
          created,
        ],
        indices: [
          { name: 'IDX_audit_logs_action', columnNames: ['action'] },
          { name: 'IDX_audit_logs_actor_id', columnNames: ['actor_id'] },
          { name: 'IDX_audit_logs_target_id', columnNames: ['target_id'] },
          { name: 'IDX_audit_logs_created_at', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_logs',
      'login_failures',
      'password_reset_tokens',
      'sessions',
      'role_permissions',
      'user_roles',
      'users',
      'roles',
      'permissions',
    ]) {
      await q.dropTable(table, true);
    }
  }
}
