import Redis from 'ioredis';
import { Client } from 'pg';

/** Removes the run's schema and every Redis key under the run's prefixes. Set E2E_KEEP=1 to inspect them. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.E2E_KEEP === '1') return;
  const db = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await db.connect();
  // The run's schema and any of its files' own schemas (`<schema>_<label>`) that a teardown left behind.
  const { rows } = await db.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $1 || '_')`, [process.env.E2E_SCHEMA]);
  for (const { name } of rows) await db.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await db.end();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `e2e-${process.env.E2E_RUN_ID}-*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}
