import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DatabaseSettings {
  url: string;
  schema: string;
  poolSize: number;
}

/** Connection options shared by the services, the migration command and the tests. Never `synchronize`. */
export function dataSourceOptions(db: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    schema: db.schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: db.poolSize,
      // Unqualified names in migrations and raw SQL resolve in the configured schema.
      options: `-c search_path=${db.schema}`,
      connectionTimeoutMillis: 5_000,
      // Kept short so a dead Postgres is noticed (and answered with 503) instead of hanging requests.
      query_timeout: 15_000,
    },
  };
}
