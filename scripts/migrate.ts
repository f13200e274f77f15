// `npm run migrate`: applies pending migrations to DATABASE_URL / DATABASE_SCHEMA and exits.
import { loadConfig, runMain } from '@statusync/core';
import { runMigrations, setAppRolePassword } from '@statusync/db';

runMain('migrate', async () => {
  const { migrationUrl, schema, role, appRolePassword } = loadConfig().database;
  // As the tables' owner (MIGRATION_DATABASE_URL), not as the services' role.
  const applied = await runMigrations({ url: migrationUrl, schema, poolSize: 2 });
  process.stdout.write(applied.length > 0 ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
  if (appRolePassword) {
    await setAppRolePassword(migrationUrl, role, appRolePassword);
    process.stdout.write(`set the login password of ${role} (APP_DATABASE_PASSWORD)\n`);
  }
});
