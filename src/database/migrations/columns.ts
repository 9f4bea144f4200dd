import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column shapes shared by the migrations, written with TypeORM's driver-neutral Table API
 * so one migration set runs on SQLite and on MySQL/MariaDB alike.
 */
export function columns(q: QueryRunner) {
  const mysql = q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb';
  const now = mysql ? 'CURRENT_TIMESTAMP(6)' : "datetime('now')";
  const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 6, isNullable: nullable });
  return {
    mysql,
    now,
    uuid: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      ...extra,
    }),
    str: (name: string, length: number, nullable = true): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    }),
    text: (name: string, nullable = true): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
    int: (name: string, nullable = true): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable }),
    time,
    created: { ...time('created_at'), default: now } as TableColumnOptions,
    updated: { ...time('updated_at'), default: now, ...(mysql ? { onUpdate: now } : {}) } as TableColumnOptions,
    increments: (name: string): TableColumnOptions => ({
      name,
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
    flag: (name: string, value: boolean): TableColumnOptions => ({ name, type: 'boolean', default: value ? 1 : 0 }),
  };
}
