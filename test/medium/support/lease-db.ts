import { dataSourceOptions, UserScope } from '@statusync/db';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { E2E } from '../../support/test-env';
import { MEDIUM } from './medium-env';

/** The services' view (the app role, row-level security on) and the test's own (superuser) on the run's schema. */
export async function openDatabases(): Promise<{ app: DataSource; scope: UserScope; admin: Pool }> {
  const app = new DataSource(dataSourceOptions({ url: E2E.databaseUrl, schema: MEDIUM.schema, poolSize: 6, role: 'statusync_app' }));
  await app.initialize();
  const admin = new Pool({ connectionString: E2E.databaseUrl, max: 3, options: `-c search_path=${MEDIUM.schema}` });
  return { app, scope: new UserScope(app), admin };
}

let users = 0;

/** A user with a platform configured (the token is never opened here). */
export async function seedUser(admin: Pool, platform = 'github'): Promise<string> {
  const subject = `medium-${process.pid}-${++users}-${Date.now()}`;
  const { rows } = await admin.query(`INSERT INTO users (subject) VALUES ($1) RETURNING id`, [subject]);
  const userId = rows[0].id as string;
  await admin.query(
    `INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id) VALUES ($1, $2, 'acct', 'acct', '\\x00', 'k')`,
    [userId, platform],
  );
  return userId;
}

/** A status update with a pending delivery to `platform`, as the gateway records it; returns its id. */
export async function seedUpdate(admin: Pool, userId: string, message: string, platform = 'github'): Promise<string> {
  const { rows } = await admin.query(
    `WITH u AS (INSERT INTO status_updates (user_id, kind, message, platforms) VALUES ($1, 'set', $2, ARRAY[$3]) RETURNING id, user_id)
     INSERT INTO status_deliveries (update_id, platform, user_id) SELECT id, $3, user_id FROM u RETURNING update_id`,
    [userId, message, platform],
  );
  return rows[0].update_id as string;
}

export async function deliveryState(admin: Pool, updateId: string, platform = 'github'): Promise<{ state: string; attempts: number }> {
  const { rows } = await admin.query(`SELECT state, attempts FROM status_deliveries WHERE update_id = $1 AND platform = $2`, [updateId, platform]);
  return rows[0];
}

export async function logsOf(admin: Pool, updateId: string): Promise<{ attempt: number; outcome: string }[]> {
  const { rows } = await admin.query(`SELECT attempt, outcome FROM sync_logs WHERE update_id = $1 ORDER BY id`, [updateId]);
  return rows;
}
