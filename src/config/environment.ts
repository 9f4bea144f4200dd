import { config as loadDotenv } from 'dotenv';
import { loadConfig, type AppConfig } from './app.config.js';
import { resolveSecrets } from './secrets.js';

/**
 * The configuration as the server builds it at start: `.env` (if any) under the process
 * environment, validated, with the development secrets of the data folder. For the tools
 * that run beside the server on the same data (the admin CLI).
 * @throws ConfigError naming every bad variable.
 */
export function configFromEnvironment(): AppConfig {
  loadDotenv({ quiet: true });
  return resolveSecrets(loadConfig(process.env));
}
