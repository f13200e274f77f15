// `npm run migrate`: applies pending migrations to DATABASE_URL / DATABASE_SCHEMA and exits.
import { loadConfig, runMain } from '@statusync/core';
import { runMigrations } from '@statusync/db';

runMain('migrate', async () => {
  const applied = await runMigrations(loadConfig().database);
  process.stdout.write(applied.length > 0 ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
});
