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
 * - `push_*`: the Google watch channel or Graph subscription notifying us of changes (with PUBLIC_BASE_URL).
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
        ADD COLUMN sync_started_at timestamptz,
        ADD COLUMN push_channel_id text,
        ADD COLUMN push_resource_id text,
        ADD COLUMN push_expires_at timestamptz`);
    await db.query(`CREATE UNIQUE INDEX uq_calendar_connections_push_channel ON calendar_connections (push_channel_id) WHERE push_channel_id IS NOT NULL`);
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
    // A provider's push notification names only its channel (Google) or subscription (Graph): which calendar, whose.
    // Ids only; the notification's token is checked against the channel id afterwards.
    await db.query(`
      CREATE FUNCTION statusync_calendar_push_target(channel text) RETURNS TABLE (id uuid, user_id uuid, type text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
        SELECT id, user_id, type FROM calendar_connections WHERE push_channel_id = channel
      $$`);
    await db.query(`ALTER FUNCTION statusync_calendar_push_target(text) OWNER TO statusync_system`);
    await db.query(`REVOKE ALL ON FUNCTION statusync_calendar_push_target(text) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION statusync_calendar_push_target(text) TO statusync_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS statusync_calendar_push_target(text)`);
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
        DROP COLUMN sync_token, DROP COLUMN sync_items, DROP COLUMN sync_started_at,
        DROP COLUMN push_channel_id, DROP COLUMN push_resource_id, DROP COLUMN push_expires_at`);
  }
}
