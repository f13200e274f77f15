// Global setup runs outside Jest's module mapper, so no path aliases here.
import { runMigrations } from '../../../libs/db/src/migrate';

/**
 * Once per run: a fresh Postgres schema of the middle tier's own, migrated exactly as `npm start` would (no services:
 * tests run code in-process). Its own variable, not E2E_SCHEMA: every project's global setup runs in one process
 * before any test, so sharing the variable would put the middle tier on the e2e schema (with the e2e suites' rows,
 * which the outbox sweep would then count) and leave one of the two schemas behind.
 */
export default async function globalSetup(): Promise<void> {
  process.env.MEDIUM_SCHEMA = `medium_${Date.now().toString(36)}${process.pid.toString(36)}`;
  await runMigrations({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', schema: process.env.MEDIUM_SCHEMA, poolSize: 2 });
}
