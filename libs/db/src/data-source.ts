// Entry for the TypeORM CLI: `npx typeorm migration:show -d dist/libs/db/src/data-source.js`.
import { loadConfig } from '@statusync/core';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

export default new DataSource(dataSourceOptions(loadConfig().database));
