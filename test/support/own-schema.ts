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

export async function dropOwnSchema(db: Pool, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
