import { Client, Pool } from 'pg';
import { runMigrations } from '../libs/db/src/migrate';
import { BENCH_ORG, seedYear } from './analytics-seed';

/**
 * `npm run bench:analytics`: seeds a year of history (BENCH_ANALYTICS_UPDATES, default 1,000,000 updates, 1,000 users
 * in one org) in a fresh schema, then times GET /status/analytics's two queries as the services' role and prints the
 * plan of each query as the functions run them (EXPLAIN ANALYZE). The schema is dropped at the end.
 */
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const UPDATES = Number(process.env.BENCH_ANALYTICS_UPDATES ?? 1_000_000);
const USERS = Number(process.env.BENCH_ANALYTICS_USERS ?? 1_000);
const RUNS = 5;
const DAY = 86_400_000;

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const result = await work();
  return [Number(process.hrtime.bigint() - started) / 1e6, result];
}

/** One analytics request as the gateway makes it: both functions in one user-scoped transaction. */
async function analyticsOnce(app: Client, userId: string, org: boolean, from: Date, to: Date): Promise<unknown[]> {
  await app.query('BEGIN');
  try {
    await app.query(`SELECT set_config('statusync.user_id', $1, true), set_config('statusync.org_id', $2, true), set_config('statusync.role', 'admin', true)`, [userId, BENCH_ORG]);
    const outcomes = await app.query(`SELECT * FROM statusync_delivery_analytics($1, $2, NULL, $3)`, [from, to, org]);
    const templates = await app.query(`SELECT * FROM statusync_template_analytics($1, $2, NULL, $3, 20)`, [from, to, org]);
    return [...outcomes.rows, ...templates.rows];
  } finally {
    await app.query('COMMIT');
  }
}

/** The query inside a function, with its variables bound, so EXPLAIN shows what the function really runs. */
async function explainInside(db: Pool, fn: string, users: string[], from: Date, to: Date): Promise<string> {
  const { rows } = await db.query(`SELECT prosrc FROM pg_proc WHERE proname = $1 AND pronamespace = current_schema()::regnamespace`, [fn]);
  const body = (rows[0].prosrc as string).split('RETURN QUERY')[1].split(/;\s*END/)[0];
  const sql = body.replace(/v_users/g, '$1::uuid[]').replace(/p_from/g, '$2::timestamptz').replace(/p_to/g, '$3::timestamptz').replace(/p_platform/g, 'NULL::text').replace(/p_limit/g, '20');
  const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, [users, from, to]);
  // The bound user ids would fill screens: say how many there were instead.
  return plan.rows.map((row) => (row['QUERY PLAN'] as string).replace(/'\{[0-9a-f,-]+\}'::uuid\[\]/g, `'{${users.length} user ids}'::uuid[]`)).join('\n');
}

async function main(): Promise<void> {
  // BENCH_ANALYTICS_SCHEMA: measure a schema kept by an earlier run (BENCH_ANALYTICS_KEEP=1) instead of seeding.
  const reuse = process.env.BENCH_ANALYTICS_SCHEMA;
  const keep = Boolean(reuse || process.env.BENCH_ANALYTICS_KEEP);
  const schema = reuse ?? `bench_analytics_${Date.now().toString(36)}`;
  await runMigrations({ url: DATABASE_URL, schema, poolSize: 2 });
  const db = new Pool({ connectionString: DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
  const appUrl = new URL(DATABASE_URL);
  appUrl.username = 'statusync_app';
  const app = new Client({ connectionString: appUrl.toString(), options: `-c search_path=${schema}` });
  try {
    if (!reuse) {
      const [seedMs] = await timed(() => seedYear(db, UPDATES, USERS));
      const [vacuumMs] = await timed(() => db.query(`VACUUM ANALYZE`));
      console.log(`seeded ${UPDATES.toLocaleString('en')} updates for ${USERS} users in ${(seedMs / 1000).toFixed(0)} s, VACUUM ANALYZE ${(vacuumMs / 1000).toFixed(0)} s`);
    }
    if (keep) console.log(`keeping schema ${schema}`);
    const users = (await db.query(`SELECT id FROM users WHERE org_id = $1 ORDER BY subject`, [BENCH_ORG])).rows.map((r) => r.id as string);
    await app.connect();
    const now = Date.now();
    const cases: [string, boolean, number][] = [
      ['org, 366 days', true, 366],
      ['org, 30 days', true, 30],
      ['one user, 366 days', false, 366],
    ];
    for (const [label, org, days] of cases) {
      const from = new Date(now - days * DAY);
      const to = new Date(now);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push((await timed(() => analyticsOnce(app, users[0], org, from, to)))[0]);
      times.sort((a, b) => a - b);
      console.log(`${label}: median ${times[RUNS >> 1].toFixed(0)} ms, max ${times[RUNS - 1].toFixed(0)} ms over ${RUNS} runs`);
    }
    await db.query(`SET ROLE statusync_system`);
    const yearAgo = new Date(now - 366 * DAY);
    for (const fn of ['statusync_delivery_analytics', 'statusync_template_analytics']) {
      console.log(`\nEXPLAIN ANALYZE ${fn}, org, 366 days:\n${await explainInside(db, fn, users, yearAgo, new Date(now))}`);
    }
    console.log(`\nEXPLAIN ANALYZE statusync_delivery_analytics, one user, 366 days:\n${await explainInside(db, 'statusync_delivery_analytics', users.slice(0, 1), yearAgo, new Date(now))}`);
    await db.query(`RESET ROLE`);
  } finally {
    await app.end().catch(() => undefined);
    if (!keep) await db.query(`DROP SCHEMA "${schema}" CASCADE`);
    await db.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
