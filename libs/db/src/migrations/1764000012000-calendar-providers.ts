import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Google and Microsoft calendars (issue 9): OAuth tokens and the provider's sync state on the calendar's own row
 * (`calendar_connections` already has row-level security enabled and forced, so the new columns are the owner's
 * only).
 * - `connecting`: created, waiting for the person to approve at the provider; never polled.
 * - Tokens are sealed with TokenCipher, each bound to its row and purpose (`<user>/calendar:<id>:oauth` and
 *   `.../refresh`), with their own key id columns so key rotation re-seals them independently.
 * - `sync_token` is Google's nextSyncToken or Graph's deltaLink; `sync_items` every event the provider told us
 *   about since the last full round (`sync_started_at`), by id.
 */
export class CalendarProviders1764000012000 implements MigrationInterface {
  name = 'CalendarProviders1764000012000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      ALTER TABLE calendar_connections
        ADD COLUMN access_token_ciphertext bytea,
        ADD COLUMN access_token_key_id text,
        ADD COLUMN refresh_token_ciphertext bytea,
        ADD COLUMN refresh_token_key_id text,
        ADD COLUMN token_expires_at timestamptz,
        ADD COLUMN granted_scopes text,
        ADD COLUMN sync_token text,
        ADD COLUMN sync_items jsonb,
        ADD COLUMN sync_started_at timestamptz`);
    // The state check was written inline in 8000, so Postgres named it calendar_connections_state_check.
    await db.query(`ALTER TABLE calendar_connections DROP CONSTRAINT calendar_connections_state_check`);
    await db.query(`
      ALTER TABLE calendar_connections ADD CONSTRAINT calendar_connections_state_check
      CHECK (state IN ('connecting', 'pending', 'active', 'broken', 'reauth_required'))`);
    await db.query(`
      ALTER TABLE calendar_connections ADD CONSTRAINT calendar_connections_tokens_check
      CHECK ((access_token_ciphertext IS NULL) = (access_token_key_id IS NULL) AND (refresh_token_ciphertext IS NULL) = (refresh_token_key_id IS NULL))`);
    // A provider calendar still waiting for consent has no token to read with: the poller skips it.
    await db.query(`
      CREATE OR REPLACE FUNCTION statusync_calendar_poll_targets() RETURNS TABLE (id uuid, user_id uuid, next_fetch_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
        SELECT id, user_id, next_fetch_at FROM calendar_connections WHERE state NOT IN ('reauth_required', 'connecting') ORDER BY next_fetch_at NULLS FIRST
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE OR REPLACE FUNCTION statusync_calendar_poll_targets() RETURNS TABLE (id uuid, user_id uuid, next_fetch_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
        SELECT id, user_id, next_fetch_at FROM calendar_connections WHERE state <> 'reauth_required' ORDER BY next_fetch_at NULLS FIRST
      $$`);
    await db.query(`DELETE FROM calendar_connections WHERE state = 'connecting'`);
    await db.query(`ALTER TABLE calendar_connections DROP CONSTRAINT calendar_connections_tokens_check`);
    await db.query(`ALTER TABLE calendar_connections DROP CONSTRAINT calendar_connections_state_check`);
    await db.query(`ALTER TABLE calendar_connections ADD CONSTRAINT calendar_connections_state_check CHECK (state IN ('pending', 'active', 'broken', 'reauth_required'))`);
    await db.query(`
      ALTER TABLE calendar_connections
        DROP COLUMN access_token_ciphertext, DROP COLUMN access_token_key_id, DROP COLUMN refresh_token_ciphertext,
        DROP COLUMN refresh_token_key_id, DROP COLUMN token_expires_at, DROP COLUMN granted_scopes,
        DROP COLUMN sync_token, DROP COLUMN sync_items, DROP COLUMN sync_started_at`);
  }
}
