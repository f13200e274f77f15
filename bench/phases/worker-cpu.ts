import { PlatformId } from '@statusync/platforms';
import { statusSyncQueueName } from '@statusync/queue';
import { Queue } from 'bullmq';
import { CpuMeter, LoadAverage, postgresBackends, redisPid, trackLoad } from '../machine';
import { BenchEnv, pollUntil, REDIS_URL, startService } from '../support';
import { BenchUser } from '../users';
import { enqueue, PLATFORMS } from './workers';

export interface WorkerCpuFigures {
  fakeLatencyMs: number;
  concurrency: number;
  poolSize: number;
  jobs: number;
  /** Jobs per second of ONE worker process, first to last completion. */
  jobsPerSecond: number;
  /** Jobs settled inside the CPU window (from the worker's readiness to the end of the drain). */
  jobsInCpuWindow: number;
  /** CPU ms (utime + stime) per applied job, per process group and in total. */
  cpuMsPerJob: { total: number; worker: number; postgres: number; redis: number };
  /** Postgres backends that served the worker (pg_stat_activity by application_name). */
  postgresBackends: number;
  load: LoadAverage;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * One worker process drains `users × 2` queued jobs against fakes answering after `fakeLatencyMs`. Throughput is
 * jobs/s between the first and the last completion; CPU is read from /proc for exactly the processes that did
 * the work: the worker, the Postgres backends it opened (its connections carry an application_name of their
 * own), and redis-server (shared with anything else using that Redis; see docs/decisions.md §33).
 */
export async function workerCpuPhase(
  env: BenchEnv,
  users: BenchUser[],
  settings: { fakeLatencyMs: number; concurrency: number; platformEnv: Record<string, string> },
): Promise<WorkerCpuFigures> {
  const load = trackLoad();
  const queues = new Map<PlatformId, Queue>(PLATFORMS.map((p) => [p, new Queue(statusSyncQueueName(p), { connection: { url: REDIS_URL }, prefix: env.queuePrefix })]));
  const applicationName = `statusync-bench-worker-${process.pid}`;
  const poolSize = Math.max(4, Math.ceil(settings.concurrency / 10));
  try {
    const since = await enqueue(env, users, queues);
    const jobs = users.length * PLATFORMS.length;
    const redis = await redisPid(REDIS_URL);
    const workerEnv = {
      ...env.env,
      ...settings.platformEnv,
      SYNC_CONCURRENCY: String(settings.concurrency),
      DATABASE_POOL_SIZE: String(poolSize),
      PGAPPNAME: applicationName,
    };
    // BENCH_WORKER_CPU_PROF=<dir>: a V8 CPU profile of the worker (written when it exits), for "where does a job's CPU go".
    const profile = process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] : [];
    const worker = await startService('sync-worker', workerEnv, profile);
    const meter = new CpuMeter(async () => ({
      worker: [worker.pid],
      postgres: await postgresBackends(env.db, applicationName),
      redis: redis === null ? [] : [redis],
    }));
    await meter.begin();
    const { rows: windowStart } = await env.db.query(`SELECT now() AS at`);
    const pending = async () => {
      await meter.sample();
      const { rows } = await env.db.query(
        `SELECT count(*)::int AS pending FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id WHERE u.seq > $1 AND d.state = 'pending'`,
        [since],
      );
      return rows[0].pending === 0;
    };
    const drained = await pollUntil(pending, 15 * 60_000, 1_000);
    const cpu = await meter.end();
    const backends = (await postgresBackends(env.db, applicationName)).length;
    await worker.stop();
    if (!drained) throw new Error('the 300 ms worker drain did not finish within 15 minutes');
    const { rows } = await env.db.query(
      `SELECT extract(epoch FROM max(d.completed_at) - min(d.completed_at)) AS seconds, count(*)::int AS done,
              count(*) FILTER (WHERE d.completed_at >= $2)::int AS in_window
       FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id WHERE u.seq > $1 AND d.state = 'succeeded'`,
      [since, windowStart[0].at],
    );
    if (rows[0].done !== jobs) throw new Error(`only ${rows[0].done} of ${jobs} jobs succeeded`);
    const inWindow = rows[0].in_window as number;
    const perJob = (ms: number | undefined) => round2((ms ?? 0) / inWindow);
    return {
      fakeLatencyMs: settings.fakeLatencyMs,
      concurrency: settings.concurrency,
      poolSize,
      jobs,
      jobsPerSecond: Math.round((jobs - 1) / Number(rows[0].seconds)),
      jobsInCpuWindow: inWindow,
      cpuMsPerJob: {
        total: perJob((cpu.worker ?? 0) + (cpu.postgres ?? 0) + (cpu.redis ?? 0)),
        worker: perJob(cpu.worker),
        postgres: perJob(cpu.postgres),
        redis: perJob(cpu.redis),
      },
      postgresBackends: backends,
      load: load.stop(),
    };
  } finally {
    load.stop();
    await Promise.all([...queues.values()].map((queue) => queue.close()));
  }
}
