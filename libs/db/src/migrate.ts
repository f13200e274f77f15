import { DataSource } from 'typeorm';
import { DatabaseSettings, dataSourceOptions } from './data-source-options';

/** Any fixed number: all services and `npm run migrate` agree on it, so only one of them migrates at a time. */
const MIGRATION_LOCK_ID = 727_001;

/** Creates the schema if needed and applies pending migrations, holding an advisory lock meanwhile. */
export async function runMigrations(db: DatabaseSettings): Promise<string[]> {
  const dataSource = new DataSource({ ...dataSourceOptions(db), extra: { ...dataSourceOptions(db).extra, max: 2 } });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    return applied.map((migration) => migration.name);
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}
