import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app.config.js';

interface StoredSecrets {
  jwt_refresh_secret?: string;
  encryption_key?: string;
}

/**
 * Outside production, missing secrets (JWT_REFRESH_SECRET, ENCRYPTION_KEY) are generated once
 * and kept in `<DATA_DIR>/secrets.json` (mode 0600, folder 0700), so tokens and sealed keys
 * survive a restart. Production never gets here without them: the env schema refuses to start.
 */
export function resolveSecrets(config: AppConfig): AppConfig {
  if (config.jwt.refreshSecret && config.encryptionKey) return config;
  const file = join(config.dataDir, 'secrets.json');
  let stored: StoredSecrets;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
  } catch {
    stored = {};
  }
  const missing = !stored.jwt_refresh_secret || !stored.encryption_key;
  if (missing) {
    stored = {
      jwt_refresh_secret: stored.jwt_refresh_secret ?? randomBytes(48).toString('base64url'),
      encryption_key: stored.encryption_key ?? randomBytes(32).toString('base64'),
    };
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return {
    ...config,
    encryptionKey: config.encryptionKey ?? Buffer.from(stored.encryption_key!, 'base64'),
    jwt: {
      ...config.jwt,
      refreshSecret: config.jwt.refreshSecret ?? stored.jwt_refresh_secret,
    },
  };
}
