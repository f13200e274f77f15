import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DatabaseSettings {
  url: string;
  schema: string;
  poolSize: number;
  /** Every connection switches to this role at start-up (row-level security applies to it); none for migrations. */
  role?: string;
}

/** Connection options shared by the services, the migration command and the tests. Never `synchronize`. */
export function dataSourceOptions(db: DatabaseSettings): DataSourceOptions {
  const startup = [`-c search_path=${db.schema}`, ...(db.role ? [`-c role=${db.role}`] : [])];
  return {
    type: 'postgres',
    url: db.url,
    schema: db.schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // The services' role may not create extensions; gen_random_uuid() is built into Postgres 13+.
    installExtensions: false,
    extra: {
      max: db.poolSize,
      // Unqualified names resolve in the configured schema; the role makes row-level security apply.
      options: startup.join(' '),
      connectionTimeoutMillis: 5_000,
      // Kept short so a dead Postgres is noticed (and answered with 503) instead of hanging requests.
      query_timeout: 15_000,
    },
  };
}
