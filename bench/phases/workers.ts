import { PlatformId } from '@statusync/platforms';
import { JobName, statusSyncQueueName, syncJobId, syncJobOptions } from '@statusync/queue';
import { Queue } from 'bullmq';
import { BenchEnv, BenchProcess, REDIS_URL, startService } from '../support';
import { BenchUser } from '../users';

export const PLATFORMS: PlatformId[] = ['github', 'slack'];

export interface DrainResult {
  processes: number;
  concurrency: number;
  jobs: number;
  jobsPerSecond: number;
}

export interface WorkerFigures {
  sweep: DrainResult[];
  oneProcess: DrainResult;
  twoProcesses: DrainResult;
  /** 2-process jobs/s ÷ 1-process jobs/s. */
  scaling: number;
  bestConcurrency: number;
}

/** Records one update per user (both platforms) and enqueues its jobs, as the gateway would, without a worker running. */
export async function enqueue(env: BenchEnv, users: BenchUser[], queues: Map<PlatformId, Queue>): Promise<number> {
  const { rows: before } = await env.db.query(`SELECT coalesce(max(seq), 0) AS seq FROM status_updates`);
  for (let start = 0; start < users.length; start += 1000) {
    const ids = users.slice(start, start + 1000).map((user) => user.id);
    const { rows } = await env.db.query(
      `INSERT INTO status_updates (user_id, kind, message, emoji, platforms)
       SELECT unnest($1::uuid[]), 'set', 'Draining', ':rocket:', ARRAY['github','slack'] RETURNING id, user_id`,
      [ids],
    );
    await env.db.query(
      `INSERT INTO status_deliveries (update_id, platform, user_id) SELECT u.id, p.platform, u.user_id
       FROM unnest($1::uuid[], $2::uuid[]) AS u(id, user_id) CROSS JOIN (VALUES ('github'), ('slack')) AS p(platform)`,
      [rows.map((r: { id: string }) => r.id), rows.map((r: { user_id: string }) => r.user_id)],
    );
    for (const platform of PLATFORMS) {
      await queues.get(platform)!.addBulk(
        rows.map((row: { id: string; user_id: string }) => ({
          name: JobName.SyncStatus,
          data: { updateId: row.id, platform, userId: row.user_id, requestId: null },
          opts: { ...syncJobOptions({ maxAttempts: 8 }), jobId: syncJobId(row.id, platform) },
        })),
      );
    }
  }
  return before[0].seq;
}

/** Jobs per second between the first and the last completion: start-up time does not count. */
async function drain(env: BenchEnv, users: BenchUser[], queues: Map<PlatformId, Queue>, processes: number, concurrency: number): Promise<DrainResult> {
  const since = await enqueue(env, users, queues);
  const jobs = users.length * PLATFORMS.length;
  // Concurrency is per platform queue; a job holds a connection only to claim and to settle, so a tenth will do.
  const workerEnv = { ...env.env, SYNC_CONCURRENCY: String(concurrency), DATABASE_POOL_SIZE: String(Math.max(4, Math.ceil(concurrency / 5))) };
  const workers: BenchProcess[] = await Promise.all(Array.from({ length: processes }, () => startService('sync-worker', workerEnv)));
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const { rows } = await env.db.query(
      `SELECT count(*)::int AS pending FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id WHERE u.seq > $1 AND d.state = 'pending'`,
      [since],
    );
    if (rows[0].pending === 0) break;
    if (Date.now() > deadline) throw new Error(`drain did not finish: ${rows[0].pending} pending`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await Promise.all(workers.map((worker) => worker.stop()));
  const { rows } = await env.db.query(
    `SELECT extract(epoch FROM max(d.completed_at) - min(d.completed_at)) AS seconds, count(*)::int AS done
     FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id WHERE u.seq > $1 AND d.state = 'succeeded'`,
    [since],
  );
  if (rows[0].done !== jobs) throw new Error(`only ${rows[0].done} of ${jobs} jobs succeeded`);
  return { processes, concurrency, jobs, jobsPerSecond: Math.round((jobs - 1) / Number(rows[0].seconds)) };
}

/**
 * Drains queued jobs against the fakes: first a concurrency sweep with one process (smaller batches), then the
 * full batch with one and with two processes at the best concurrency found.
 */
export async function workersPhase(env: BenchEnv, users: BenchUser[], settings: { concurrencies: number[]; sweepUsers: number }): Promise<WorkerFigures> {
  const queues = new Map(PLATFORMS.map((p) => [p, new Queue(statusSyncQueueName(p), { connection: { url: REDIS_URL }, prefix: env.queuePrefix })]));
  try {
    const sweep: DrainResult[] = [];
    for (const concurrency of settings.concurrencies) {
      sweep.push(await drain(env, users.slice(0, settings.sweepUsers), queues, 1, concurrency));
    }
    const best = sweep.reduce((a, b) => (b.jobsPerSecond > a.jobsPerSecond ? b : a)).concurrency;
    const oneProcess = await drain(env, users, queues, 1, best);
    const twoProcesses = await drain(env, users, queues, 2, best);
    return { sweep, oneProcess, twoProcesses, bestConcurrency: best, scaling: Math.round((twoProcesses.jobsPerSecond / oneProcess.jobsPerSecond) * 100) / 100 };
  } finally {
    await Promise.all([...queues.values()].map((queue) => queue.close()));
  }
}
