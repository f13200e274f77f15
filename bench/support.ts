import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_SYNC_QUEUES } from '@statusync/queue';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { runMigrations } from '../libs/db/src/migrate';
import { freePort } from '../test/support/free-port';

/** The repository root, from the sources (bench/) or the build (dist/bench/). */
export const ROOT = existsSync(join(__dirname, '../package.json')) ? join(__dirname, '..') : join(__dirname, '../..');
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const JWT_SECRET = randomBytes(32).toString('base64url');

/** One fresh schema and Redis prefix per benchmark run, removed at the end. */
export interface BenchEnv {
  schema: string;
  queuePrefix: string;
  db: Pool;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Drops the jobs and updates a phase left behind (the gateway phase runs without a worker), so the next phase starts clean. */
export async function clearBacklog(env: BenchEnv): Promise<void> {
  for (const name of STATUS_SYNC_QUEUES) {
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix: env.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await env.db.query(`DELETE FROM status_updates`);
}

export async function createBenchEnv(platformUrls: { github: string; slack: string }): Promise<BenchEnv> {
  const id = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const schema = `bench_${id}`;
  const queuePrefix = `bench-${id}`;
  await runMigrations({ url: DATABASE_URL, schema, poolSize: 2 });
  const db = new Pool({ connectionString: DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    JWT_SECRET,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    GITHUB_GRAPHQL_URL: platformUrls.github,
    SLACK_API_URL: platformUrls.slack,
    // The benchmark measures throughput, not the per-user budgets; the limiter still runs on every request.
    RATE_LIMIT_WRITES_PER_HOUR: '10000000',
    RATE_LIMIT_READS_PER_HOUR: '10000000',
    HOST: '127.0.0.1',
  };
  return {
    schema,
    queuePrefix,
    db,
    env,
    async cleanup() {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.end();
      const redis = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}


/** Every child the benchmark started: killed if the benchmark itself dies, so none is left running. */
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

/** A running Node process (a built service or the reference server) with its peak memory tracked. */
export class BenchProcess {
  private peakRssKb = 0;
  private readonly sampler: NodeJS.Timeout;

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    this.sampler = setInterval(() => {
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) this.peakRssKb = Math.max(this.peakRssKb, Number(match[1]));
      } catch {
        // process gone
      }
    }, 250);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get peakRssMb(): number {
    return Math.round(this.peakRssKb / 1024);
  }

  resetPeak(): void {
    this.peakRssKb = 0;
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Starts `script` (relative to dist/) and waits for its health route. */
export async function startProcess(name: string, script: string, env: Record<string, string>, portVariable: string, execArgv: string[] = []): Promise<BenchProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...execArgv, join(ROOT, 'dist', script)], {
    env: { ...process.env, ...env, [portVariable]: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  // Four services starting at once on a shared 2-core machine (load 10–13) took more than 30 s.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up`);
    const ok = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return new BenchProcess(name, url, child);
}

export const startService = (name: string, env: Record<string, string>, execArgv: string[] = []) =>
  startProcess(name, `apps/${name}/src/main.js`, env, PORT_VARIABLE[name] ?? 'PORT', execArgv);

const PORT_VARIABLE: Record<string, string> = {
  'api-gateway': 'PORT',
  'sync-worker': 'SYNC_WORKER_PORT',
  scheduler: 'SCHEDULER_PORT',
  'calendar-poller': 'CALENDAR_POLLER_PORT',
};

export const tokenFor = (subject: string) => jwt.sign({}, JWT_SECRET, { algorithm: 'HS256', subject, expiresIn: 3600 });

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it became true. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The URLs of a pair of platform fakes, as service configuration. */
export const platformEnv = (urls: { github: string; slack: string }) => ({ GITHUB_GRAPHQL_URL: urls.github, SLACK_API_URL: urls.slack });
