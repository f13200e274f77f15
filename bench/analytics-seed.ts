import type { Pool } from 'pg';

export const BENCH_ORG = 'org-bench';

/**
 * A year of history in one org: `updates` status updates spread evenly over 365 days across `users` users, each
 * sent to GitHub and Slack. Per delivery: ~97% succeed after 0.1-2.1 s, ~1.5% are superseded, ~1.5% fail with one
 * of four codes; ~3% took a retry first. 30% of updates come from a preset or a template. Inserted as the owner.
 */
export async function seedYear(db: Pool, updates: number, users: number): Promise<void> {
  await db.query(`INSERT INTO users (subject, org_id) SELECT 'bench-' || i, $1 FROM generate_series(1, $2) i`, [BENCH_ORG, users]);
  await db.query(
    `WITH ids AS (SELECT array_agg(id ORDER BY subject) AS a FROM users WHERE org_id = $1)
     INSERT INTO status_updates (user_id, kind, preset, template_name, source, emoji, message, platforms, created_at)
     SELECT ids.a[1 + n % $3],
            'set',
            CASE n % 10 WHEN 0 THEN 'lunch' WHEN 1 THEN 'busy' END,
            CASE n % 10 WHEN 2 THEN 'Focus time' END,
            CASE n % 10 WHEN 0 THEN 'preset' WHEN 1 THEN 'preset' WHEN 2 THEN 'template' ELSE 'manual' END,
            ':coffee:', 'Benchmark status', '{github,slack}',
            now() - (n::float8 / $2) * interval '365 days'
     FROM ids, generate_series(1, $2) n`,
    [BENCH_ORG, updates, users],
  );
  await db.query(
    `INSERT INTO status_deliveries (update_id, platform, user_id, state, attempts, error_code, completed_at, created_at, updated_at)
     SELECT u.id, p, u.user_id, o.state, 1, o.code, u.created_at + (100 + (u.seq * 7919 % 2000)) * interval '1 ms', u.created_at, u.created_at
     FROM status_updates u CROSS JOIN unnest(u.platforms) p
     CROSS JOIN LATERAL (SELECT CASE WHEN (u.seq + length(p)) % 200 < 3 THEN 'superseded'
                                     WHEN (u.seq + length(p)) % 200 < 6 THEN 'failed' ELSE 'succeeded' END AS state,
                                CASE WHEN (u.seq + length(p)) % 200 BETWEEN 3 AND 5
                                     THEN (ARRAY['http_500', 'token_revoked', 'ratelimited', 'invalid_auth'])[1 + u.seq % 4] END AS code) o`,
  );
  await db.query(
    `WITH retried AS (UPDATE status_deliveries d SET attempts = 2 WHERE abs(hashtext(d.update_id::text || d.platform)) % 100 < 3 RETURNING d.*)
     INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, error_code, duration_ms, created_at)
     SELECT update_id, platform, user_id, 1, 'retrying', 'http_500', 80, created_at + interval '50 ms' FROM retried`,
  );
  await db.query(
    `INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, error_code, duration_ms, created_at)
     SELECT d.update_id, d.platform, d.user_id, d.attempts, d.state, d.error_code, 80, d.completed_at FROM status_deliveries d`,
  );
}
