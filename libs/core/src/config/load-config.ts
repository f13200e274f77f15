import { keyIdOf } from '../crypto/key-id';
import { parseClusterNodes } from '../redis/redis-connection';
import { AppConfig, OAuthAppConfig } from './app-config';
import { ConfigError } from './config-error';
import { configSchema } from './config.schema';
import { devSecretsPath, loadOrCreateDevSecrets } from './dev-secrets';

const REQUIRED_IN_PRODUCTION = ['TOKEN_ENCRYPTION_KEY'] as const;

/** Validates the environment once and returns typed configuration, or throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, as in most twelve-factor tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), reason: issue.message })),
    );
  }
  const e = { ...parsed.data };
  // Under a cluster a queue's keys (and the pipelines across queues) must share one slot: a {hash tag} prefix.
  if (e.REDIS_CLUSTER_NODES && !/^\{[^{}]+\}/.test(e.QUEUE_PREFIX)) {
    throw new ConfigError([{ variable: 'QUEUE_PREFIX', reason: 'must start with a {hash tag} (e.g. {statusync}) when REDIS_CLUSTER_NODES is set' }]);
  }
  const generatedDevSecrets: string[] = [];
  const missing = [
    ...REQUIRED_IN_PRODUCTION.filter((name) => !e[name] && !e.TOKEN_ENCRYPTION_KEYS),
    ...(!e.JWT_SECRET && !e.JWT_JWKS_URL ? ['JWT_SECRET'] : []),
  ];
  if (missing.length > 0) {
    if (e.NODE_ENV === 'production') {
      throw new ConfigError(missing.map((variable) => ({ variable, reason: 'is required when NODE_ENV=production' })));
    }
    const dev = loadOrCreateDevSecrets(devSecretsPath(env));
    for (const name of missing as ('JWT_SECRET' | 'TOKEN_ENCRYPTION_KEY')[]) {
      e[name] = dev[name];
      generatedDevSecrets.push(name);
    }
  }
  const encryptionKeys = (e.TOKEN_ENCRYPTION_KEYS?.split(',') ?? [e.TOKEN_ENCRYPTION_KEY!]).map((key) => Buffer.from(key.trim(), 'base64'));

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    ports: {
      apiGateway: e.PORT,
      syncWorker: e.SYNC_WORKER_PORT,
      scheduler: e.SCHEDULER_PORT,
      calendarPoller: e.CALENDAR_POLLER_PORT,
    },
    database: {
      url: e.DATABASE_URL,
      schema: e.DATABASE_SCHEMA,
      poolSize: e.DATABASE_POOL_SIZE,
      role: e.DATABASE_ROLE,
      migrationUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL,
      appRolePassword: e.APP_DATABASE_PASSWORD,
    },
    redis: { url: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX, clusterNodes: e.REDIS_CLUSTER_NODES ? parseClusterNodes(e.REDIS_CLUSTER_NODES) : null },
    jwt: { secret: e.JWT_SECRET, jwksUrl: e.JWT_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    tokenEncryptionKeys: encryptionKeys.map((key) => ({ id: keyIdOf(key), key })),
    platforms: {
      githubGraphqlUrl: e.GITHUB_GRAPHQL_URL,
      slackApiUrl: e.SLACK_API_URL,
      timeoutMs: e.PLATFORM_TIMEOUT_MS,
    },
    oauth: {
      redirectBaseUrl: e.OAUTH_REDIRECT_BASE_URL.replace(/\/+$/, ''),
      github: oauthApp(e.GITHUB_OAUTH_URL, e.GITHUB_OAUTH_CLIENT_ID, e.GITHUB_OAUTH_CLIENT_SECRET),
      slack: oauthApp(e.SLACK_OAUTH_URL, e.SLACK_OAUTH_CLIENT_ID, e.SLACK_OAUTH_CLIENT_SECRET),
    },
    sync: {
      concurrency: e.SYNC_CONCURRENCY,
      maxAttempts: e.SYNC_MAX_ATTEMPTS,
      backoffBaseMs: e.SYNC_BACKOFF_BASE_MS,
      backoffMaxMs: e.SYNC_BACKOFF_MAX_MS,
      stalledIntervalMs: e.SYNC_STALLED_INTERVAL_MS,
      writesPerMinute: { slack: e.SYNC_SLACK_WRITES_PER_MINUTE, github: e.SYNC_GITHUB_WRITES_PER_MINUTE },
    },
    outbox: { sweepIntervalMs: e.OUTBOX_SWEEP_INTERVAL_MS, sweepAgeMs: e.OUTBOX_SWEEP_AGE_MS },
    history: { retentionDays: e.HISTORY_RETENTION_DAYS, purgeIntervalMs: e.HISTORY_PURGE_INTERVAL_MS },
    schedules: {
      reconcileIntervalMs: e.SCHEDULE_RECONCILE_INTERVAL_MS,
      jobHorizonMs: e.SCHEDULE_JOB_HORIZON_MS,
      materialiseDays: e.SCHEDULE_MATERIALISE_DAYS,
    },
    rateLimit: {
      writesPerHour: e.RATE_LIMIT_WRITES_PER_HOUR,
      readsPerHour: e.RATE_LIMIT_READS_PER_HOUR,
      publicPerMinute: e.RATE_LIMIT_PUBLIC_PER_MINUTE,
    },
    http: { trustProxy: e.TRUST_PROXY, corsOrigins: e.CORS_ORIGINS },
    allowPrivateUrls: e.ALLOW_PRIVATE_URLS,
    calendars: {
      pollIntervalMs: e.CALENDAR_POLL_INTERVAL_MS,
      fetchTimeoutMs: e.CALENDAR_FETCH_TIMEOUT_MS,
      maxBytes: e.CALENDAR_MAX_BYTES,
      horizonDays: e.CALENDAR_HORIZON_DAYS,
      publicBaseUrl: e.PUBLIC_BASE_URL ? e.PUBLIC_BASE_URL.replace(/\/+$/, '') : null,
      google: {
        authorizeUrl: `${e.GOOGLE_OAUTH_URL.replace(/\/+$/, '')}/o/oauth2/v2/auth`,
        tokenUrl: e.GOOGLE_TOKEN_URL,
        apiUrl: e.GOOGLE_CALENDAR_API_URL.replace(/\/+$/, ''),
        client: e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET ? { id: e.GOOGLE_CLIENT_ID, secret: e.GOOGLE_CLIENT_SECRET } : null,
      },
      microsoft: {
        authorizeUrl: `${e.MICROSOFT_LOGIN_URL.replace(/\/+$/, '')}/${e.MICROSOFT_TENANT}/oauth2/v2.0/authorize`,
        tokenUrl: `${e.MICROSOFT_LOGIN_URL.replace(/\/+$/, '')}/${e.MICROSOFT_TENANT}/oauth2/v2.0/token`,
        apiUrl: e.MICROSOFT_GRAPH_URL.replace(/\/+$/, ''),
        client: e.MICROSOFT_CLIENT_ID && e.MICROSOFT_CLIENT_SECRET ? { id: e.MICROSOFT_CLIENT_ID, secret: e.MICROSOFT_CLIENT_SECRET } : null,
      },
    },
    webhooks: {
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE,
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      sweepIntervalMs: e.WEBHOOK_SWEEP_INTERVAL_MS,
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
    },
    live: { resumeWindowMs: e.LIVE_RESUME_WINDOW_SECONDS * 1000 },
    bullBoard: { username: e.BULL_BOARD_USERNAME, password: e.BULL_BOARD_PASSWORD },
    metrics: { token: e.METRICS_TOKEN },
    shutdown: { timeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000 },
    log: { level: e.LOG_LEVEL, file: e.LOG_FILE },
    generatedDevSecrets,
  };
}

/** The schema already refuses half a pair, so both or neither are set here. */
function oauthApp(url: string, id: string | undefined, secret: string | undefined): OAuthAppConfig {
  return { url, client: id && secret ? { id, secret } : null };
}
