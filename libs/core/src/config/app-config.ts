import type { RedisSettings } from '../redis/redis-connection';
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
    /** `npm run migrate` sets it as `role`'s login password (hardened deployments). */
    appRolePassword?: string;
  };
  redis: RedisSettings;
  jwt: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  /** AES-256 keys by key id, newest first; the first one encrypts. */
  tokenEncryptionKeys: { id: string; key: Buffer }[];
  platforms: { githubGraphqlUrl: string; slackApiUrl: string; timeoutMs: number };
  /** OAuth apps at the platforms; a platform without a client (id and secret) offers no OAuth connect. */
  oauth: {
    /** Public base URL of the gateway; redirect URIs are `<base>/api/v1/oauth/<platform>/callback`. */
    redirectBaseUrl: string;
    github: OAuthAppConfig;
    slack: OAuthAppConfig;
  };
  sync: {
    concurrency: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    stalledIntervalMs: number;
    /** The per-user write budget on each platform, per minute (0: none); spent before each call. */
    writesPerMinute: Record<string, number>;
  };
  outbox: { sweepIntervalMs: number; sweepAgeMs: number };
  /** Status history older than `retentionDays` is purged every `purgeIntervalMs`, once across all schedulers. */
  history: { retentionDays: number; purgeIntervalMs: number };
  /** Span engine: reconcile period, how far ahead edges get delayed jobs, how many days of recurrences are stored. */
  schedules: { reconcileIntervalMs: number; jobHorizonMs: number; materialiseDays: number };
  /** Requests per caller and window; writes and reads per user, public routes per client address. */
  rateLimit: { writesPerHour: number; readsPerHour: number; publicPerMinute: number };
  /** `trustProxy` for Fastify (which address is the client's), and the browser origins CORS allows. */
  http: { trustProxy: boolean | string[]; corsOrigins: string[] };
  /** User-given URLs may reach private addresses (ALLOW_PRIVATE_URLS): off in production. */
  allowPrivateUrls: boolean;
  /** Calendar feeds: poll period (ms, plus per-calendar jitter), fetch timeout, size cap and span horizon. */
  calendars: {
    pollIntervalMs: number;
    fetchTimeoutMs: number;
    maxBytes: number;
    horizonDays: number;
    /** Where providers send push notifications (PUBLIC_BASE_URL); null: polling only. */
    publicBaseUrl: string | null;
    /** Google and Microsoft calendars: where their OAuth and APIs live, and our app there (null: not offered). */
    google: CalendarProviderConfig;
    microsoft: CalendarProviderConfig;
  };
  /**
   * Outgoing webhooks: the delay before each attempt (the first is usually 0), how long an endpoint may fail before
   * it is disabled, the per-request timeout, requests in flight per worker, how often lost deliveries are swept for,
   * and how long deliveries are kept.
   */
  webhooks: {
    retryScheduleMs: number[];
    disableAfterMs: number;
    timeoutMs: number;
    concurrency: number;
    sweepIntervalMs: number;
    retentionDays: number;
  };
  /** Live streams (SSE): how far back a client can resume, and how long an idle stream lives. */
  live: { resumeWindowMs: number };
  bullBoard: { username: string; password?: string };
  /** The bearer token /metrics asks for (unset: open outside production, off in it). */
  metrics: { token?: string };
  /** How long the graceful shutdown may take before the process exits 1 saying what was still open. */
  shutdown: { timeoutMs: number };
  log: { level: string; file?: string };
  /** Names of the variables that were filled with generated development values. */
  generatedDevSecrets: string[];
}

/** Where a platform's OAuth web front lives, and our app's credentials there (null when not configured). */
export interface OAuthAppConfig {
  url: string;
  client: { id: string; secret: string } | null;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** A calendar provider's OAuth endpoints, API base and our client there (null when not configured). */
export interface CalendarProviderConfig {
  authorizeUrl: string;
  tokenUrl: string;
  apiUrl: string;
  client: { id: string; secret: string } | null;
}
