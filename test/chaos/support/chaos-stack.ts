import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { GithubFake } from '../../fakes/github-fake';
import { SlackFake } from '../../fakes/slack-fake';
import { registerTestUser, TestUser } from '../../support/stack';
import { ServiceName, ServiceProcess } from '../../support/services';
import { LocalPgBouncer } from '../../support/pgbouncer';
import { LocalRedisCluster } from '../../support/redis-cluster';
import { E2E } from '../../support/test-env';
import { runMigrations } from '../../../libs/db/src/migrate';
import { PlatformTap } from './platform-tap';
import { clusterUrl, PrivateCluster } from './private-postgres';
import { PrivateRedis } from './private-redis';

export interface ChaosUser extends TestUser {
  index: number;
}

export interface ChaosStackOptions {
  /** Names the schema, the queue prefix and the messages. */
  label: string;
  users?: number;
  /** Platform latency, redrawn every 200 ms from this range. */
  latencyMs?: [number, number];
  /** Overrides of the services' environment. */
  env?: Record<string, string>;
  services?: ServiceName[];
  /** The services reach Postgres through PgBouncer in transaction mode (migrations go straight to Postgres). */
  pgBouncer?: boolean;
  /** The services use a throwaway 3-master Redis Cluster instead of the scenario's single Redis. */
  redisCluster?: boolean;
}

/** The run's private cluster, created by global-setup. */
export function privateCluster(): PrivateCluster {
  const { CHAOS_PG_VERSION: version, CHAOS_PG_CLUSTER: name, CHAOS_PG_PORT: port } = process.env;
  if (!version || !name || !port) throw new Error('no private Postgres cluster: run chaos tests through jest (test/chaos/support/global-setup.ts)');
  return { version, name, port: Number(port) };
}

/**
 * One scenario's world: its own Redis (persistent, restartable), its own schema in the run's private Postgres
 * cluster, both platform fakes behind recording taps, the real services (built, as child processes) configured
 * for quick recovery, and users who have connected both platforms through the API.
 */
export class ChaosStack {
  readonly services: Partial<Record<ServiceName, ServiceProcess>> = {};
  /** Every service process started, including replaced ones, for the logs and the final stop. */
  private readonly started: ServiceProcess[] = [];
  readonly users: ChaosUser[] = [];
  private jitter?: NodeJS.Timeout;

  private constructor(
    readonly label: string,
    readonly cluster: PrivateCluster,
    readonly schema: string,
    readonly redis: PrivateRedis,
    readonly db: Pool,
    readonly github: GithubFake,
    readonly slack: SlackFake,
    readonly githubTap: PlatformTap,
    readonly slackTap: PlatformTap,
    readonly env: Record<string, string>,
    private readonly engines: { bouncer?: LocalPgBouncer; redisCluster?: LocalRedisCluster },
  ) {}

  static async start(options: ChaosStackOptions): Promise<ChaosStack> {
    const cluster = privateCluster();
    const schema = `chaos_${options.label.replace(/\W/g, '_')}`;
    await runMigrations({ url: clusterUrl(cluster), schema, poolSize: 2 });
    const db = new Pool({ connectionString: clusterUrl(cluster), max: 3, options: `-c search_path=${schema}` });
    // A pool's idle connections die with a Postgres restart; that must not crash the test process.
    db.on('error', () => undefined);
    const redis = await PrivateRedis.start();
    // Slack's per-user write limit is off: the stream sends far more than a person would, on purpose.
    const [github, slack] = await Promise.all([GithubFake.start(), SlackFake.start({ profileWritesPerMinute: 0 })]);
    const [githubTap, slackTap] = await Promise.all([PlatformTap.start(github.url), PlatformTap.start(slack.url)]);
    const engines = {
      bouncer: options.pgBouncer ? await LocalPgBouncer.start(clusterUrl(cluster), schema, 10) : undefined,
      redisCluster: options.redisCluster ? await LocalRedisCluster.start() : undefined,
    };
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: clusterUrl(cluster),
      DATABASE_SCHEMA: schema,
      DATABASE_POOL_SIZE: '20',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `chaos-${options.label}`,
      JWT_SECRET: E2E.jwtSecret,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      GITHUB_GRAPHQL_URL: `${githubTap.baseUrl}/graphql`,
      SLACK_API_URL: `${slackTap.baseUrl}/api/`,
      PLATFORM_TIMEOUT_MS: '1500',
      SYNC_BACKOFF_BASE_MS: '200',
      SYNC_BACKOFF_MAX_MS: '3000',
      SYNC_MAX_ATTEMPTS: '8',
      // A killed worker's jobs are taken over within about a second (docs/decisions.md 6).
      SYNC_STALLED_INTERVAL_MS: '1000',
      OUTBOX_SWEEP_INTERVAL_MS: '1000',
      OUTBOX_SWEEP_AGE_MS: '4000',
      // The stream is one test client sending for 20 users; the gateway's per-user budgets are not under test here.
      RATE_LIMIT_WRITES_PER_HOUR: '1000000',
      RATE_LIMIT_READS_PER_HOUR: '1000000',
      // Nor the worker's per-user write budgets: 20 users writing for 20 s would wait for them, not for the faults.
      SYNC_SLACK_WRITES_PER_MINUTE: '0',
      SYNC_GITHUB_WRITES_PER_MINUTE: '0',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
      LOG_LEVEL: 'info',
      ...(engines.bouncer ? { DATABASE_URL: engines.bouncer.url(), MIGRATION_DATABASE_URL: clusterUrl(cluster) } : {}),
      // A cluster needs every key of a deployment in one slot: a {hash tag} prefix (docs/decisions.md "Throughput").
      ...(engines.redisCluster ? { REDIS_CLUSTER_NODES: engines.redisCluster.nodes, QUEUE_PREFIX: `{chaos-${options.label}}` } : {}),
      ...options.env,
    };
    const stack = new ChaosStack(options.label, cluster, schema, redis, db, github, slack, githubTap, slackTap, env, engines);
    try {
      stack.jitterLatency(options.latencyMs ?? [20, 80]);
      for (const name of options.services ?? ['api-gateway', 'sync-worker', 'scheduler']) await stack.startService(name);
      await Promise.all(Array.from({ length: options.users ?? 20 }, (_, index) => stack.addUser(index)));
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get gatewayUrl(): string {
    const gateway = this.services['api-gateway'];
    if (!gateway) throw new Error('the gateway is not running');
    return gateway.url;
  }

  /** Starts a service (again) with the stack's environment; it replaces the one of that name. */
  async startService(name: ServiceName): Promise<ServiceProcess> {
    const service = await ServiceProcess.start(name, this.env);
    this.services[name] = service;
    this.started.push(service);
    return service;
  }

  /** Every log line of every process of `name` this stack started, for diagnosing a failure. */
  logs(name: ServiceName): string {
    return this.started
      .filter((service) => service.name === name)
      .map((service) => service.logs())
      .join('');
  }

  /** Stops everything; safe after a failure half-way through start(). */
  async stop(): Promise<void> {
    clearInterval(this.jitter);
    await Promise.all(this.started.map((service) => stopWithin(service, 15_000)));
    await Promise.all([this.github.close(), this.slack.close(), this.githubTap.close(), this.slackTap.close()]);
    await this.redis.destroy();
    await Promise.all([this.engines.bouncer?.stop(), this.engines.redisCluster?.stop()]);
    await this.db.end().catch(() => undefined);
  }

  private jitterLatency([low, high]: [number, number]): void {
    const draw = () => Math.round(low + Math.random() * (high - low));
    this.jitter = setInterval(() => {
      this.github.setLatency(draw());
      this.slack.setLatency(draw());
    }, 200);
    this.jitter.unref();
  }

  private async addUser(index: number): Promise<void> {
    const id = `${this.label}${index}${randomBytes(3).toString('hex')}`.replace(/\W/g, '');
    // The JWT is valid for ten minutes: longer than any scenario.
    const user: ChaosUser = { index, ...registerTestUser(this, id, `chaos-${id}`) };
    for (const [platform, token] of [
      ['github', user.githubToken],
      ['slack', user.slackToken],
    ] as const) {
      const connect = () =>
        fetch(`${this.gatewayUrl}/api/v1/config/platforms`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.jwt}`, 'content-type': 'application/json' },
          body: JSON.stringify({ platform, token }),
        });
      let answer = await connect();
      // Setting up is not under test: on a loaded machine the token check can time out (503), and a client retries.
      for (let retry = 0; answer.status === 503 && retry < 3; retry++) answer = await connect();
      if (answer.status !== 201) throw new Error(`connecting ${platform} for user ${index} failed: ${answer.status} ${await answer.text()}`);
    }
    this.users[index] = user;
  }
}

/** SIGTERM, and SIGKILL if the service has not exited in time: a stuck shutdown must not hang the run. */
async function stopWithin(service: ServiceProcess, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const outcome = await Promise.race([service.stop().catch(() => undefined), late]);
  clearTimeout(timer);
  if (outcome === 'late') await service.kill();
}
