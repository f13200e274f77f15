import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

/** A request budget: how many requests one caller may make per window. */
const budget = z.coerce.number().int().min(1).max(10_000_000);

/** proxy-addr's names for address ranges (`loopback` = 127.0.0.1/8 and ::1, `uniquelocal` = private networks). */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Fastify's `trustProxy`: `false` (the socket address is the client), comma-separated proxy addresses, CIDRs or
 * range names (X-Forwarded-For is believed only from those), or `true` (believed from anyone: only safe when
 * every request passes a proxy that overwrites the header). Fastify 5 ignores hop counts, so none are accepted.
 */
const trustProxy = z.string().transform((value, ctx): boolean | string[] => {
  if (value === 'false') return false;
  if (value === 'true') return true;
  const addresses = value.split(',').map((part) => part.trim());
  if (addresses.every((part) => PROXY_RANGE_NAMES.includes(part) || isAddressOrCidr(part))) return addresses;
  ctx.addIssue({ code: 'custom', message: 'must be true, false, or comma-separated proxy IP addresses, CIDRs or loopback/linklocal/uniquelocal' });
  return z.NEVER;
});

function isAddressOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

/** Exact browser origins (`https://app.example.com`): no wildcard, path or trailing slash. */
const origins = z.string().transform((value, ctx): string[] => {
  const list = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const bad = list.filter((origin) => {
    try {
      const parsed = new URL(origin);
      return parsed.origin !== origin || !['https:', 'http:'].includes(parsed.protocol);
    } catch {
      return true;
    }
  });
  if (bad.length === 0) return list;
  ctx.addIssue({ code: 'custom', message: `must be comma-separated origins such as https://app.example.com (scheme, host and port only); not: ${bad.join(', ')}` });
  return z.NEVER;
});

/** Comma-separated delays in ms (`0,5000,300000`): 1–20 entries, each 0 to 7 days. */
const retrySchedule = z.string().transform((value, ctx): number[] => {
  const parts = value.split(',').map((part) => part.trim());
  const delays = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : NaN));
  if (delays.length >= 1 && delays.length <= 20 && delays.every((delay) => Number.isSafeInteger(delay) && delay <= 7 * 86_400_000)) return delays;
  ctx.addIssue({ code: 'custom', message: 'must be 1 to 20 comma-separated delays in milliseconds (each at most 7 days), e.g. 0,5000,300000' });
  return z.NEVER;
});

/** A base64 value that decodes to exactly 32 bytes (an AES-256 key). */
const aes256Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');

/**
 * Every environment variable the services read. Names are part of the product (README "Configuration"):
 * never rename one without keeping the old name working.
 */
/** Jobs in flight one pooled connection serves: a job holds it only to claim and to settle. */
export const SYNC_JOBS_PER_CONNECTION = 10;

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(3000),
    SYNC_WORKER_PORT: port.default(3001),
    SCHEDULER_PORT: port.default(3002),
    CALENDAR_POLLER_PORT: port.default(3003),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/postgres'),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case Postgres identifier')
      .default('public'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    DATABASE_ROLE: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case Postgres role name')
      .default('statusync_app'),
    MIGRATION_DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
    /** Set by `npm run migrate` as DATABASE_ROLE's login password, so services log in as that role (Compose, Helm). */
    APP_DATABASE_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    /** Redis Cluster seed nodes, `host:port,host:port`; QUEUE_PREFIX must then start with a `{…}` hash tag. */
    REDIS_CLUSTER_NODES: z
      .string()
      .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'must be host:port[,host:port...]')
      .optional(),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.{}-]{1,64}$/, 'must be 1-64 letters, digits, _ . - or a {hash tag}')
      .default('statusync'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_JWKS_URL: url(['https:', 'http:']).optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    TOKEN_ENCRYPTION_KEY: aes256Key.optional(),
    /** Several keys for rotation, newest first: the first encrypts, all decrypt (`npm run keys:rotate`). */
    TOKEN_ENCRYPTION_KEYS: z
      .string()
      .refine(
        (value) => value.split(',').every((key) => Buffer.from(key.trim(), 'base64').length === 32),
        'must be comma-separated 32-byte keys, base64-encoded, newest first',
      )
      .optional(),
    GITHUB_GRAPHQL_URL: url(['https:', 'http:']).default('https://api.github.com/graphql'),
    SLACK_API_URL: url(['https:', 'http:']).default('https://slack.com/api/'),
    PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    // OAuth apps: a platform offers "connect with OAuth" only when its client id and secret are both set.
    GITHUB_OAUTH_URL: url(['https:', 'http:']).default('https://github.com'),
    GITHUB_OAUTH_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
    SLACK_OAUTH_URL: url(['https:', 'http:']).default('https://slack.com'),
    SLACK_OAUTH_CLIENT_ID: z.string().min(1).optional(),
    SLACK_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
    // Calendar providers: `type: google|microsoft` calendars can be connected only when the client id and secret are set.
    GOOGLE_OAUTH_URL: url(['https:', 'http:']).default('https://accounts.google.com'),
    GOOGLE_TOKEN_URL: url(['https:', 'http:']).default('https://oauth2.googleapis.com/token'),
    GOOGLE_CALENDAR_API_URL: url(['https:', 'http:']).default('https://www.googleapis.com'),
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    MICROSOFT_LOGIN_URL: url(['https:', 'http:']).default('https://login.microsoftonline.com'),
    /** `common` (work and personal accounts), `organizations`, `consumers` or one directory's id or domain. */
    MICROSOFT_TENANT: z.string().regex(/^[A-Za-z0-9.-]{1,100}$/, 'must be common, organizations, consumers or a tenant id/domain').default('common'),
    MICROSOFT_GRAPH_URL: url(['https:', 'http:']).default('https://graph.microsoft.com'),
    MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
    MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
    /**
     * The gateway as Google and Microsoft reach it (https in production): set, calendars get push channels and
     * subscriptions that notify `<base>/api/v1/calendars/push/{google|microsoft}`; unset, they are polled only.
     */
    PUBLIC_BASE_URL: url(['https:', 'http:']).optional(),
    /** Public base URL of the gateway as browsers reach it; OAuth redirect URIs are built from it. */
    OAUTH_REDIRECT_BASE_URL: url(['https:', 'http:']).default('http://127.0.0.1:3000'),
    SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(100),
    SYNC_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    SYNC_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(2_000),
    SYNC_BACKOFF_MAX_MS: z.coerce.number().int().min(1).max(86_400_000).default(15 * 60_000),
    SYNC_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
    /** Status writes per user and minute the worker allows itself on each platform (0: no budget). */
    SYNC_SLACK_WRITES_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(10),
    SYNC_GITHUB_WRITES_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(60),
    OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    OUTBOX_SWEEP_AGE_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    /** Status history older than this is purged (each user's latest update and what platforms show are kept). */
    HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
    HISTORY_PURGE_INTERVAL_MS: z.coerce.number().int().min(1_000).max(7 * 86_400_000).default(3_600_000),
    /** How often each scheduler replica reconciles span edges (Postgres) with delayed jobs (Redis). */
    SCHEDULE_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** How far ahead edges get a delayed job, and recurring schedules are materialised into spans. */
    SCHEDULE_JOB_HORIZON_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(15 * 60_000),
    SCHEDULE_MATERIALISE_DAYS: z.coerce.number().int().min(1).max(366).default(14),
    RATE_LIMIT_WRITES_PER_HOUR: budget.default(100),
    RATE_LIMIT_READS_PER_HOUR: budget.default(1_000),
    RATE_LIMIT_PUBLIC_PER_MINUTE: budget.default(60),
    TRUST_PROXY: trustProxy.default(false),
    CORS_ORIGINS: origins.default([]),
    BULL_BOARD_USERNAME: z.string().min(1).default('admin'),
    BULL_BOARD_PASSWORD: z.string().min(1).optional(),
    /** Bearer token Prometheus sends to /metrics; without it /metrics is off in production (docs/operations.md). */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Let user-given URLs (calendar feeds) reach loopback/private/link-local addresses: tests and local development only. */
    ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
    /** How often ICS feeds are read again (each calendar adds up to a tenth of this as jitter). */
    CALENDAR_POLL_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(5 * 60_000),
    CALENDAR_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    /** Largest calendar feed accepted, in bytes; a bigger one marks the calendar broken. */
    CALENDAR_MAX_BYTES: z.coerce.number().int().min(1_024).max(50 * 1024 * 1024).default(5 * 1024 * 1024),
    /** How far ahead the poller stores busy spans (calendar_spans). */
    CALENDAR_HORIZON_DAYS: z.coerce.number().int().min(1).max(60).default(7),
    /** Outgoing webhooks: delays before each attempt (ms; the Standard Webhooks schedule), jitter added to each. */
    WEBHOOK_RETRY_SCHEDULE: retrySchedule.default([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000]),
    /** An endpoint failing without a single success for this long (ms) is disabled; default 5 days. */
    WEBHOOK_DISABLE_AFTER_MS: z.coerce.number().int().min(0).max(90 * 86_400_000).default(5 * 86_400_000),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
    /** Webhook requests in flight per worker process (its own BullMQ worker, apart from the sync queues). */
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
    /** How often each worker looks in Postgres for webhook deliveries whose job was lost (Redis flushed). */
    WEBHOOK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
    /** Webhook deliveries older than this are purged with the status history (the same hourly job). */
    WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
    /**
     * How far back a reconnecting live client can resume (seconds): each user's and team's stream keeps this much and
     * expires when idle this long, so Redis holds about one window of events per active user.
     */
    LIVE_RESUME_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
    /** How long a service's graceful shutdown may take after SIGTERM/SIGINT before it exits 1 (below the orchestrator's grace period). */
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(25),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FILE: z.string().min(1).optional(),
  })
  .refine((env) => !(env.TOKEN_ENCRYPTION_KEY && env.TOKEN_ENCRYPTION_KEYS), {
    path: ['TOKEN_ENCRYPTION_KEYS'],
    message: 'and TOKEN_ENCRYPTION_KEY are both set: set only one (TOKEN_ENCRYPTION_KEYS for rotation)',
  })
  .superRefine((env, ctx) => {
    // Half an OAuth app is a typo, not a choice: say which half is missing rather than silently offer no OAuth.
    const pairs = [
      ['GITHUB_OAUTH_CLIENT_ID', 'GITHUB_OAUTH_CLIENT_SECRET'],
      ['SLACK_OAUTH_CLIENT_ID', 'SLACK_OAUTH_CLIENT_SECRET'],
      ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
      ['MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET'],
    ] as const;
    for (const [id, secret] of pairs) {
      if (!env[id] !== !env[secret]) ctx.addIssue({ code: 'custom', path: [env[id] ? secret : id], message: `is required when ${env[id] ? id : secret} is set` });
    }
  })
  // A sync job holds a connection only for its claim and its settle (a few ms each), not for the platform call: one
  // connection serves about ten jobs in flight at any platform latency worth the name (docs/decisions.md "Worker leases").
  .refine((env) => env.SYNC_CONCURRENCY <= env.DATABASE_POOL_SIZE * SYNC_JOBS_PER_CONNECTION, {
    path: ['SYNC_CONCURRENCY'],
    message: `is more than ${SYNC_JOBS_PER_CONNECTION} jobs per database connection: raise DATABASE_POOL_SIZE or lower SYNC_CONCURRENCY`,
  })
  .refine((env) => !(env.JWT_ISSUER || env.JWT_AUDIENCE) || env.JWT_SECRET || env.JWT_JWKS_URL, {
    path: ['JWT_ISSUER'],
    message: 'needs JWT_SECRET or JWT_JWKS_URL',
  });

export type Environment = z.infer<typeof configSchema>;
