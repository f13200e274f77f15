import { Client } from 'pg';

/** Drops the middle tier's schema (see global-setup); `E2E_KEEP=1` keeps it for a look afterwards. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.E2E_KEEP === '1' || !process.env.MEDIUM_SCHEMA) return;
  const db = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS "${process.env.MEDIUM_SCHEMA}" CASCADE`);
  await db.end();
}
