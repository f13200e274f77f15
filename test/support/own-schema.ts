import type { Pool } from 'pg';
import { runMigrations } from '../../libs/db/src/migrate';
import { E2E } from './test-env';

/**
 * A test file's own schema, migrated (about 0.3 s), for files that must not share rows with the files running
 * alongside: those that act on every row or check that nothing changed anywhere, and those that run work across
 * users (an outbox sweep, the span reconciler, the calendar poller). Drop it with `dropOwnSchema`.
 */
export async function migrateOwnSchema(label: string): Promise<string> {
  const schema = `${E2E.schema}_${label.replace(/\W/g, '_')}`;
  await runMigrations({ url: E2E.databaseUrl, schema, poolSize: 2 });
  return schema;
}

/**
 * Drops the schema, waiting at most 5 s for its locks: a schema left behind (with a warning saying what held it)
 * is removed with the run's others by the global teardown, so a teardown never outlives Jest's hook limit.
 */
export async function dropOwnSchema(db: Pool, schema: string): Promise<void> {
  const client = await db.connect();
  try {
    await client.query(`SET lock_timeout = '5s'`);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch (error) {
    const holders = await client.query(`SELECT pid, state, wait_event, left(query, 200) AS query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).catch(() => ({ rows: [] }));
    console.warn(`schema ${schema} not dropped (${String(error)}); left to the global teardown. Other sessions:`, holders.rows);
  } finally {
    client.release(true);
  }
}
