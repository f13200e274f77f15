import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from './errors';

export interface CliConfig {
  apiUrl: string;
  token: string;
}

/** The user's config dir: $XDG_CONFIG_HOME, else %APPDATA% on Windows, else ~/.config. */
export function configDir(env = process.env): string {
  const base = env.XDG_CONFIG_HOME || (process.platform === 'win32' ? env.APPDATA : undefined) || join(homedir(), '.config');
  return join(base, 'statusync');
}

export const configFile = (env = process.env) => join(configDir(env), 'config.json');

/** Writes the config readable by its owner only (0600, in a 0700 folder): it holds a bearer token. */
export function saveConfig(config: CliConfig, env = process.env): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = configFile(env);
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its old mode on write
  return file;
}

/** The saved config, with STATUSYNC_API_URL / STATUSYNC_TOKEN (and --api-url / --token) taking precedence. */
export function loadConfig(overrides: Partial<CliConfig> = {}, env = process.env): CliConfig {
  const file = configFile(env);
  const saved: Partial<CliConfig> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<CliConfig>) : {};
  const apiUrl = overrides.apiUrl ?? env.STATUSYNC_API_URL ?? saved.apiUrl;
  const token = overrides.token ?? env.STATUSYNC_TOKEN ?? saved.token;
  if (!apiUrl || !token) throw new CliError('Not logged in: run `statusync login --url <API URL> --token <JWT>` first.', EXIT.notLoggedIn);
  return { apiUrl, token };
}
