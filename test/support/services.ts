import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { E2E } from './test-env';
import { waitFor } from './wait-for';

export type ServiceName = 'api-gateway' | 'sync-worker' | 'scheduler' | 'calendar-poller';

export const PORT_VARIABLE: Record<ServiceName, string> = {
  'api-gateway': 'PORT',
  'sync-worker': 'SYNC_WORKER_PORT',
  scheduler: 'SCHEDULER_PORT',
  'calendar-poller': 'CALENDAR_POLLER_PORT',
};

const ROOT = join(__dirname, '../..');

/** A built service running as its own process, as in production. */
export class ServiceProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  private constructor(
    readonly name: ServiceName,
    readonly url: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts a service (of this checkout's build, or of another tree's `root`) and waits until /health/ready answers 200 (or the process dies). */
  static async start(name: ServiceName, env: Record<string, string>, root = ROOT): Promise<ServiceProcess> {
    const port = await freePort();
    const logFile = join(mkdtempSync(join(tmpdir(), `statusync-${name}-`)), `${name}.log`);
    const child = spawn(process.execPath, [join(root, `dist/apps/${name}/src/main.js`)], {
      cwd: root,
      env: { ...process.env, ...env, [PORT_VARIABLE[name]]: String(port), HOST: '127.0.0.1', LOG_FILE: logFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const service = new ServiceProcess(name, `http://127.0.0.1:${port}`, logFile, child);
    // A service that dies during start-up fails the wait at once, with its stderr, instead of at the timeout.
    const died = service.exited.then(({ code, signal }) => {
      throw new Error(`${name} exited during start-up (${signal ?? code}): ${service.stderr}`);
    });
    const ready = waitFor(
      async () => (await fetch(`${service.url}/health/ready`).catch(() => undefined))?.status === 200,
      `${name} to be ready`,
      30_000,
      100,
    );
    try {
      await Promise.race([ready, died]);
    } catch (error) {
      // Never leave a half-started service behind: it would outlive the test run and hold Jest open.
      await service.kill();
      throw error;
    } finally {
      died.catch(() => undefined);
    }
    return service;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get stderrText(): string {
    return this.stderr;
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * SIGTERM and wait: the graceful path. A shutdown that overran its deadline (SHUTDOWN_TIMEOUT_SECONDS, 20 s here,
   * inside Jest's 30 s hook limit) exits 1: its log's end is printed, so a teardown that went wrong says why.
   */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const exit = await this.exited;
    if (exit.code !== 0 && exit.signal === null) {
      console.warn(`${this.name} exited with code ${exit.code} after SIGTERM; the end of its log:\n${this.logs().split('\n').slice(-40).join('\n')}\n${this.stderr}`);
    }
    return exit;
  }

  /** SIGKILL: the crash path. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

export interface StackOptions {
  githubGraphqlUrl: string;
  slackApiUrl: string;
  queuePrefix: string;
  env?: Record<string, string>;
}

/** The environment every service of one e2e stack shares. */
export function stackEnv(options: StackOptions): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: E2E.databaseUrl,
    DATABASE_SCHEMA: E2E.schema,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: E2E.redisUrl,
    QUEUE_PREFIX: options.queuePrefix,
    JWT_SECRET: E2E.jwtSecret,
    TOKEN_ENCRYPTION_KEY: E2E.encryptionKey,
    GITHUB_GRAPHQL_URL: options.githubGraphqlUrl,
    SLACK_API_URL: options.slackApiUrl,
    PLATFORM_TIMEOUT_MS: '3000',
    SYNC_BACKOFF_BASE_MS: '100',
    SYNC_MAX_ATTEMPTS: '5',
    LOG_LEVEL: 'debug',
    // A teardown's stop must end inside Jest's 30 s hook limit, with the service's own account of what hung.
    SHUTDOWN_TIMEOUT_SECONDS: '20',
    // Suites that are not about rate limits make hundreds of requests per user (and poll while updates settle):
    // budgets they cannot reach. rate-limit.e2e-spec.ts starts its gateways with the real defaults.
    RATE_LIMIT_WRITES_PER_HOUR: '100000',
    RATE_LIMIT_READS_PER_HOUR: '1000000',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
    ...options.env,
  };
}

/** Starts several services with one shared environment; stop them all with `stopAll`. */
export async function startServices(names: ServiceName[], options: StackOptions): Promise<Record<string, ServiceProcess>> {
  const env = stackEnv(options);
  const outcomes = await Promise.allSettled(names.map((name) => ServiceProcess.start(name, env)));
  const started = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    // One service did not come up: stop the others, or they would run on after the suite gave up.
    await Promise.all(started.map((service) => service.kill()));
    throw failure.reason;
  }
  return Object.fromEntries(started.map((service) => [service.name, service]));
}

export async function stopAll(services: Record<string, ServiceProcess | undefined>): Promise<void> {
  await Promise.all(Object.values(services).map((service) => service?.stop()));
}
