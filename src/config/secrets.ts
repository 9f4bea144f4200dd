import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app.config.js';

interface StoredSecrets {
  jwt_access_secret: string;
  jwt_refresh_secret: string;
}

/**
 * Outside production, missing JWT secrets are generated once and kept in
 * `<DATA_DIR>/secrets.json` (mode 0600), so tokens survive a restart. Production
 * never gets here without both secrets: the env schema refuses to start.
 */
export function resolveSecrets(config: AppConfig): AppConfig {
  if (config.jwt.accessSecret && config.jwt.refreshSecret) return config;
  const file = join(config.dataDir, 'secrets.json');
  let stored: StoredSecrets | undefined;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
  } catch {
    stored = undefined;
  }
  if (!stored?.jwt_access_secret || !stored?.jwt_refresh_secret) {
    stored = {
      jwt_access_secret: randomBytes(48).toString('base64url'),
      jwt_refresh_secret: randomBytes(48).toString('base64url'),
    };
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return {
    ...config,
    jwt: {
      ...config.jwt,
      accessSecret: config.jwt.accessSecret ?? stored.jwt_access_secret,
      refreshSecret: config.jwt.refreshSecret ?? stored.jwt_refresh_secret,
    },
  };
}
