import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Telemetry } from '../common/telemetry/telemetry.js';
import { TelemetryModule } from '../common/telemetry/telemetry.module.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { StateModule } from '../state/state.module.js';
import { AuthMetrics, type MetricSources } from './auth-metrics.js';
import { MetricsServer } from './metrics-server.js';

/** The internals of mysql2's pool that tell its use (TypeORM's MysqlDriver keeps it as `pool`); absent on SQLite. */
interface Mysql2Pool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

function dbPoolOf(dataSource: DataSource, max: number): MetricSources['dbPool'] {
  return () => {
    const pool = (dataSource.driver as { pool?: Mysql2Pool }).pool;
    if (!pool?._allConnections || !pool._freeConnections) return null;
    return {
      total: pool._allConnections.length,
      idle: pool._freeConnections.length,
      waiting: pool._connectionQueue?.length ?? 0,
      max,
    };
  };
}

/** Attaches the metrics to the features' Telemetry, and serves them on METRICS_PORT while the app runs. */
@Injectable()
export class MetricsLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly server: MetricsServer;

  constructor(
    private readonly metrics: AuthMetrics,
    private readonly telemetry: Telemetry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.server = new MetricsServer(metrics.registry);
  }

  onModuleInit(): void {
    this.telemetry.attach(this.metrics);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === undefined) return;
    const address = await this.server.listen(port, host);
    new Logger('Metrics').log(`Prometheus metrics on http://${host}:${address.port}/metrics`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.server.close();
  }
}

/**
 * Prometheus metrics (docs/operations.md), only imported when METRICS_PORT is set: without
 * it nothing of this runs and Telemetry stays a no-op. It sits above the features it
 * observes and reads them (the hashing pool, the shared state's caches and Redis link, the
 * database pool); the features report counters through Telemetry (common/), never by
 * importing this module. The HTTP histogram is hooked into Fastify by app.factory.ts.
 */
@Module({
  imports: [CredentialsModule, StateModule, TelemetryModule],
  providers: [
    {
      provide: AuthMetrics,
      inject: [PasswordHasher, SHARED_STATE, DataSource, APP_CONFIG],
      useFactory: (hasher: PasswordHasher, state: SharedState, dataSource: DataSource, config: AppConfig) =>
        new AuthMetrics({
          hashPool: () => ({ queued: hasher.queued, size: hasher.poolSize }),
          caches: () => state.cacheStats(),
          redisConnected: () => state.redisConnected(),
          dbPool: dbPoolOf(dataSource, config.db.poolSize),
        }),
    },
    MetricsLifecycle,
  ],
  exports: [AuthMetrics],
})
export class MetricsModule {}
