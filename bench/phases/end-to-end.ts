import { runLoad } from '../load';
import { BenchEnv, percentile, startService, tokenFor } from '../support';
import { BenchUser } from '../users';

export interface EndToEndFigures {
  offeredRps: number;
  workers: number;
  accepted: number;
  bothSucceeded: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
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
  const workerEnv = env.env;
  const [gateway, ...workers] = await Promise.all([
    startService('api-gateway', env.env),
    ...Array.from({ length: settings.workers }, () => startService('sync-worker', workerEnv)),
  ]);
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
    if (rows[0].pending === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const { rows } = await env.db.query(
    `SELECT extract(epoch FROM max(d.completed_at) - u.created_at) * 1000 AS ms
     FROM status_updates u JOIN status_deliveries d ON d.update_id = u.id
     WHERE u.seq > $1
     GROUP BY u.id HAVING bool_and(d.state = 'succeeded') AND count(*) = 2`,
    [since],
  );
  const times = rows.map((row: { ms: string }) => Number(row.ms)).sort((a: number, b: number) => a - b);
  await Promise.all([gateway, ...workers].map((service) => service.stop()));
  return {
    offeredRps: settings.rate,
    workers: settings.workers,
    accepted: load.statusCodes['202'] ?? 0,
    bothSucceeded: times.length,
    p50Ms: Math.round(percentile(times, 50)),
    p95Ms: Math.round(percentile(times, 95)),
    p99Ms: Math.round(percentile(times, 99)),
  };
}
