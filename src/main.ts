import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type AppConfig } from './config/app.config.js';
import { resolveSecrets } from './config/secrets.js';
import { createApp } from './app.factory.js';
import { adminPasswordIssue } from './credentials/password-policy.js';
import { SeedReport } from './database/seeds/seed.js';
import { startupBanner } from './startup-banner.js';

async function bootstrap(): Promise<void> {
  loadDotenv({ quiet: true });
  let config: AppConfig;
  try {
    config = resolveSecrets(loadConfig(process.env));
    const adminPassword = adminPasswordIssue(config);
    if (adminPassword) throw new ConfigError([adminPassword]);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  if (config.jwt.accessSecret) {
    new Logger('Config').warn(
      'JWT_ACCESS_SECRET is set but no longer used: access tokens are signed with the signing keys (docs/api.md §8).',
    );
  }
  await app.listen({ port: config.http.port, host: config.http.host });
  const local = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost').replace('0.0.0.0', 'localhost');
  const banner = startupBanner(config, local, app.get(SeedReport));
  if (config.isProduction) for (const line of banner.lines) logger.log(line);
  else process.stdout.write(banner.text);

  // Graceful shutdown: stop accepting connections, let in-flight requests finish,
  // then close the database (Nest's shutdown hooks), and exit 0. A hard limit keeps
  // a stuck request from holding the process forever.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining in-flight requests`);
    const timer = setTimeout(() => {
      logger.error('Shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    timer.unref();
    app
      .close()
      .then(() => {
        logger.log('Stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error(`Shutdown failed: ${String(err)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
