import { runLoad, LoadResult } from '../load';
import { BenchEnv, startService, tokenFor } from '../support';

export interface HistoryFigures {
  rows: number;
  firstPage: LoadResult;
  deepPages: LoadResult;
  current: LoadResult;
  p95Ms: number;
}

/** Reads for a user with a long past: `rows` updates (two deliveries each), written straight into the database. */
export async function historyPhase(env: BenchEnv, settings: { rows: number; seconds: number }): Promise<HistoryFigures> {
  const subject = 'history-heavy-user';
  const { rows: users } = await env.db.query(`INSERT INTO users (subject) VALUES ($1) RETURNING id`, [subject]);
  const userId = users[0].id as string;
  await env.db.query(
    `INSERT INTO status_updates (user_id, kind, message, emoji, platforms, created_at)
     SELECT $1, 'set', 'Update ' || n, ':coffee:', ARRAY['github','slack'], now() - (($2 - n) || ' seconds')::interval
     FROM generate_series(1, $2) AS n`,
    [userId, settings.rows],
  );
  await env.db.query(
    `INSERT INTO status_deliveries (update_id, platform, user_id, state, attempts, completed_at)
     SELECT u.id, p.platform, u.user_id, 'succeeded', 1, u.created_at FROM status_updates u
     CROSS JOIN (VALUES ('github'), ('slack')) AS p(platform) WHERE u.user_id = $1`,
    [userId],
  );
  await env.db.query(`ANALYZE status_updates; ANALYZE status_deliveries`);
  const { rows: seqs } = await env.db.query(`SELECT seq FROM status_updates WHERE user_id = $1 ORDER BY seq`, [userId]);
  const cursors = Array.from({ length: 200 }, (_, i) => Buffer.from(String(seqs[Math.floor(((i + 1) * seqs.length) / 201)].seq)).toString('base64url'));

  const gateway = await startService('api-gateway', env.env);
  const token = tokenFor(subject);
  const load = (path: string, paths?: string[]) => runLoad({ url: `${gateway.url}${path}`, connections: 10, durationSeconds: settings.seconds, tokens: [token], paths });
  const firstPage = await load('/api/v1/status/history?limit=20');
  const deepPages = await load('/api/v1/status/history?limit=20', cursors.map((cursor) => `/api/v1/status/history?limit=20&cursor=${cursor}`));
  const current = await load('/api/v1/status/current');
  await gateway.stop();
  return { rows: settings.rows, firstPage, deepPages, current, p95Ms: Math.max(firstPage.p95Ms, deepPages.p95Ms) };
}
