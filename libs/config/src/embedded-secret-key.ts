import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { KabarConfig, SecretKeyConfig } from './config.js';
import { ConfigError } from './config-error.js';

/**
 * The configured master key, or for the embedded mode a key file created once under the data directory, so
 * `npm start` works with no setup while a server deployment must bring its own key (loadConfig enforces that).
 */
export function resolveSecretKey(config: KabarConfig): SecretKeyConfig {
  if (config.secretKey !== null) return config.secretKey;
  if (config.database.kind === 'postgres') {
    throw new ConfigError([{ variable: 'KABAR_SECRET_KEY', expected: 'a base64 32-byte key when DATABASE_URL is set (`openssl rand -base64 32`)' }]);
  }
  const file = join(config.dataDir, 'secret.key');
  try {
    return { id: 'local', key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64') };
  } catch {
    mkdirSync(config.dataDir, { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { id: 'local', key };
  }
}
