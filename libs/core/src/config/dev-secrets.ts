import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface DevSecrets {
  JWT_SECRET: string;
  TOKEN_ENCRYPTION_KEY: string;
}

/** Where development secrets live: shared by all four services and `npm run token`, never committed. */
export function devSecretsPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STATUSYNC_DEV_SECRETS_FILE ?? '.statusync/dev-secrets.json');
}

/**
 * Development only: secrets generated once and kept in a file, so every service (and a restart) uses the
 * same JWT secret and encryption key. Production refuses to start without real ones (see loadConfig).
 */
export function loadOrCreateDevSecrets(path: string): DevSecrets {
  if (existsSync(path)) {
    return JSON.parse(readFileSync(path, 'utf8')) as DevSecrets;
  }
  const secrets: DevSecrets = {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  mkdirSync(dirname(path), { recursive: true });
  // 'wx' fails if another service created the file first; then read theirs.
  try {
    writeFileSync(path, JSON.stringify(secrets, null, 2), { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(readFileSync(path, 'utf8')) as DevSecrets;
    throw error;
  }
  return secrets;
}
