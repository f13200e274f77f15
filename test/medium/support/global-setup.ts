// Global setup runs outside Jest's module mapper, so no path aliases here.
import { runMigrations } from '../../../libs/db/src/migrate';

/** Once per run: a fresh Postgres schema, migrated exactly as `npm start` would (no services: tests run code in-process). */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  process.env.E2E_RUN_ID = runId;
  process.env.E2E_SCHEMA = `medium_${runId}`;
  await runMigrations({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', schema: process.env.E2E_SCHEMA, poolSize: 2 });
}
