import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { dataSourceOptions } from './data-source.js';
import { seed } from './seeds/seed.js';

@Injectable()
class Seeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return seed(this.dataSource, this.config, this.logger);
  }
}

/** Connects, runs pending migrations (never `synchronize`), then seeds the system data. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        migrationsRun: true,
        migrationsTransactionMode: 'each',
        retryAttempts: config.isProduction ? 10 : 1,
        retryDelay: 2000,
      }),
    }),
  ],
  providers: [Seeder],
})
export class DatabaseModule {}
