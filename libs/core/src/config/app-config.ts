/** The validated, typed configuration every service reads. Built once by `loadConfig`. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  ports: { apiGateway: number; syncWorker: number; scheduler: number; calendarPoller: number };
  database: {
    url: string;
    schema: string;
    poolSize: number;
    /** The role services run as (row-level security applies to it). */
    role: string;
    /** Migrations run as the tables' owner; defaults to `url`. */
    migrationUrl: string;
  };
  redis: { url: string; queuePrefix: string };
  jwt: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  /** AES-256 keys by key id, newest first; the first one encrypts. */
  tokenEncryptionKeys: { id: string; key: Buffer }[];
  platforms: { githubGraphqlUrl: string; slackApiUrl: string; timeoutMs: number };
  sync: {
    concurrency: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    stalledIntervalMs: number;
  };
  outbox: { sweepIntervalMs: number; sweepAgeMs: number };
  bullBoard: { username: string; password?: string };
  log: { level: string; file?: string };
  /** Names of the variables that were filled with generated development values. */
  generatedDevSecrets: string[];
}

export const APP_CONFIG = Symbol('APP_CONFIG');
