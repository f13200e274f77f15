// Entry for the TypeORM CLI: `npx typeorm migration:show -d dist/libs/db/src/data-source.js`.
import { loadConfig } from '@statusync/core';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

const { migrationUrl, schema } = loadConfig().database;
// The CLI manages the schema, so it connects as the owner (MIGRATION_DATABASE_URL), without the services' role.
export default new DataSource(dataSourceOptions({ url: migrationUrl, schema, poolSize: 2 }));
