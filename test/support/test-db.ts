import { Pool } from 'pg';
import { E2E } from './test-env';

/** Direct access to the run's schema, for assertions the API does not expose (sync logs, ciphertexts). */
export function testDb(schema = E2E.schema): Pool {
  return new Pool({ connectionString: E2E.databaseUrl, max: 3, options: `-c search_path=${schema}` });
}
