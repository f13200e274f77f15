import { Client } from 'pg';
import { E2E } from './test-env';

/** Connects exactly as the services' role, with no way around row-level security (the attack tests' view). */
export async function connectAsApp(schema = E2E.schema): Promise<Client> {
  const url = new URL(E2E.databaseUrl);
  url.username = 'statusync_app';
  url.password = '';
  const client = new Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  return client;
}
