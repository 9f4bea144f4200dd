import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app.config.js';
import { dataSourceOptions } from './data-source.js';
import { seed, SeedError, SeedReport } from './seeds/seed.js';

const LOCK = 'authcentre_schema';

/**
 * Runs pending migrations (never `synchronize`) and returns their names. On MySQL several
 * instances (or the admin CLI) may do it at once: a named lock (GET_LOCK) lets one migrate
 * while the others wait, then find nothing left to do. `andThen` runs under the same lock.
 */
export async function migrateSchema(
  dataSource: DataSource,
  config: AppConfig,
  andThen?: (applied: string[]) => Promise<void>,
): Promise<string[]> {
  const runner = config.db.type === 'mysql' ? dataSource.createQueryRunner() : null;
  try {
    if (runner) {
      const [row] = await runner.query(`SELECT GET_LOCK('${LOCK}', 120) AS got`);
      if (Number(row?.got) !== 1) throw new Error('Timed out waiting for another instance to finish migrating');
    }
    const applied = (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
    await andThen?.(applied);
    return applied;
  } finally {
    if (runner) {
      await runner.query(`SELECT RELEASE_LOCK('${LOCK}')`).catch(() => undefined);
      await runner.release();
    }
  }
}

/** At start: pending migrations, then the seed (docs/api.md §7). */
async function prepareSchema(dataSource: DataSource, config: AppConfig): Promise<SeedReport> {
  const logger = new Logger('Database');
  let report = new SeedReport();
  await migrateSchema(dataSource, config, async (applied) => {
    if (applied.length) logger.log(`Applied migrations: ${applied.join(', ')}`);
    report = await seed(dataSource, config, logger);
  });
  return report;
}

/**
 * The one DataSource. It is handed out only once the schema is migrated and seeded, so every
 * provider that needs the database (the key store loads the signing keys at start) finds it
 * ready, whatever order the modules start in.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    // Filled in when the schema is prepared; read by main.ts for its start-up banner.
    const report = new SeedReport();
    return {
      module: DatabaseModule,
      providers: [{ provide: SeedReport, useValue: report }],
      exports: [SeedReport],
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(config),
            retryAttempts: config.isProduction ? 10 : 1,
            retryDelay: 2000,
            // An unreachable database is worth waiting for; a seed that cannot run is not.
            toRetry: (err: unknown) => !(err instanceof SeedError),
          }),
          dataSourceFactory: async (options?: DataSourceOptions) => {
            const dataSource = await new DataSource(options!).initialize();
            try {
              Object.assign(report, await prepareSchema(dataSource, config));
            } catch (err) {
              await dataSource.destroy().catch(() => undefined);
              throw err;
            }
            return dataSource;
          },
        }),
      ],
    };
  }
}
