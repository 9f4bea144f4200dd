import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { dataSourceOptions } from './data-source.js';
import { seed } from './seeds/seed.js';

const LOCK = 'authcentre_schema';

/**
 * Runs pending migrations (never `synchronize`), then seeds. On MySQL several
 * instances may start at once: a named lock (GET_LOCK) lets one migrate and seed while
 * the others wait, then find nothing left to do.
 */
@Injectable()
class SchemaBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const mysql = this.config.db.type === 'mysql';
    const runner = mysql ? this.dataSource.createQueryRunner() : null;
    try {
      if (runner) {
        const [row] = await runner.query(`SELECT GET_LOCK('${LOCK}', 120) AS got`);
        if (Number(row?.got) !== 1) throw new Error('Timed out waiting for another instance to finish migrating');
      }
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length) this.logger.log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
      await seed(this.dataSource, this.config, this.logger);
    } finally {
      if (runner) {
        await runner.query(`SELECT RELEASE_LOCK('${LOCK}')`).catch(() => undefined);
        await runner.release();
      }
    }
  }
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        retryAttempts: config.isProduction ? 10 : 1,
        retryDelay: 2000,
      }),
    }),
  ],
  providers: [SchemaBootstrap],
})
export class DatabaseModule {}
