import { runLoad } from '../load';
import { CpuMeter, postgresBackends, redisPid } from '../machine';
import { BenchEnv, percentile, REDIS_URL, startService, tokenFor } from '../support';
import { BenchUser } from '../users';

export interface EndToEndFigures {
  offeredRps: number;
  workers: number;
  accepted: number;
  bothSucceeded: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * Per delivery: its attempt as the worker timed it (sync_logs.duration_ms: claim, budget, platform call, up to the
   * settle), and the rest of its time from the 202 (the gateway's commit, the queue, the settle statement).
   */
  attemptP50Ms: number;
  attemptP95Ms: number;
  outsideAttemptP50Ms: number;
  outsideAttemptP95Ms: number;
  /**
   * CPU seconds over the load and the drain after it: gateway, workers, their Postgres backends, redis-server, the
   * benchmark's own process (the platform fakes) and, when it reports its own (autocannon), the load generator.
   */
  cpuSeconds: Record<string, number>;
}

/**
 * Time from the 202 to "succeeded on both platforms", under a steady offered rate. Measured from the database:
 * the update's created_at (just before the 202) to the later of its two deliveries' completed_at.
 */
export async function endToEndPhase(
  env: BenchEnv,
  users: BenchUser[],
  settings: { rate: number; seconds: number; workers: number },
): Promise<EndToEndFigures> {
  // The workers as shipped (SYNC_CONCURRENCY and DATABASE_POOL_SIZE defaults): what a user who starts them gets.
  const [gatewayApp, workerApp] = [`statusync-bench-gateway-${process.pid}`, `statusync-bench-worker-${process.pid}`];
  const [gateway, ...workers] = await Promise.all([
    startService('api-gateway', { ...env.env, PGAPPNAME: gatewayApp }),
    ...Array.from({ length: settings.workers }, () => startService('sync-worker', { ...env.env, PGAPPNAME: workerApp })),
  ]);
  const redis = await redisPid(REDIS_URL);
  const meter = new CpuMeter(async () => ({
    gateway: [gateway.pid],
    gatewayPostgres: await postgresBackends(env.db, gatewayApp),
    workers: workers.map((worker) => worker.pid),
    workersPostgres: await postgresBackends(env.db, workerApp),
    redis: redis === null ? [] : [redis],
    bench: [process.pid],
  }));
  await meter.begin();
  const { rows: before } = await env.db.query(`SELECT coalesce(max(seq), 0) AS seq FROM status_updates`);
  const tokens = users.map((user) => tokenFor(user.subject));
  const load = await runLoad({
    url: `${gateway.url}/api/v1/status/update`,
    method: 'POST',
    body: JSON.stringify({ emoji: ':coffee:', message: 'Coffee break', durationMinutes: 15 }),
    connections: 50,
    durationSeconds: settings.seconds,
    overallRate: settings.rate,
    tokens,
  });
  // Wait until every update of this phase is final.
  const since = before[0].seq;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await env.db.query(
      `SELECT count(*)::int AS pending FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id WHERE u.seq > $1 AND d.state = 'pending'`,
      [since],
    );
    await meter.sample();
    if (rows[0].pending === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const cpu = await meter.end();
  const cpuSeconds = Object.fromEntries(Object.entries(cpu).map(([group, ms]) => [group, Math.round(ms / 100) / 10]));
  if (load.cpuSeconds !== undefined) cpuSeconds.generator = load.cpuSeconds;
  const { rows } = await env.db.query(
    `SELECT extract(epoch FROM max(d.completed_at) - u.created_at) * 1000 AS ms
     FROM status_updates u JOIN status_deliveries d ON d.update_id = u.id
     WHERE u.seq > $1
     GROUP BY u.id HAVING bool_and(d.state = 'succeeded') AND count(*) = 2`,
    [since],
  );
  const times = sortedNumbers(rows.map((row: { ms: string }) => row.ms));
  // Where a delivery's time went: its attempt (sync_logs.duration_ms, the worker's own clock) against everything else
  // from the 202 to its settle. The fakes answer after a fixed latency; an attempt much longer than it is a loaded machine.
  const { rows: split } = await env.db.query(
    `SELECT l.duration_ms AS attempt, extract(epoch FROM d.completed_at - u.created_at) * 1000 - l.duration_ms AS outside
     FROM status_updates u JOIN status_deliveries d ON d.update_id = u.id
     JOIN sync_logs l ON l.update_id = d.update_id AND l.platform = d.platform AND l.outcome = 'succeeded'
     WHERE u.seq > $1 AND d.state = 'succeeded'`,
    [since],
  );
  const attempts = sortedNumbers(split.map((row: { attempt: number }) => row.attempt));
  const outside = sortedNumbers(split.map((row: { outside: string }) => row.outside));
  await Promise.all([gateway, ...workers].map((service) => service.stop()));
  return {
    offeredRps: settings.rate,
    workers: settings.workers,
    accepted: load.statusCodes['202'] ?? 0,
    bothSucceeded: times.length,
    p50Ms: Math.round(percentile(times, 50)),
    p95Ms: Math.round(percentile(times, 95)),
    p99Ms: Math.round(percentile(times, 99)),
    attemptP50Ms: Math.round(percentile(attempts, 50)),
    attemptP95Ms: Math.round(percentile(attempts, 95)),
    outsideAttemptP50Ms: Math.round(percentile(outside, 50)),
    outsideAttemptP95Ms: Math.round(percentile(outside, 95)),
    cpuSeconds,
  };
}

const sortedNumbers = (values: (string | number)[]) => values.map(Number).sort((a, b) => a - b);
