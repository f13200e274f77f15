import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calendars (issue 9): a user's connected calendars and the busy spans the poller last computed for each.
 * - `calendar_connections`: the ICS URL is a capability (anyone with it reads the calendar), so it is sealed like
 *   a platform token; only a redacted hint is readable. Fetch state (ETag, Last-Modified, failures, next fetch)
 *   lives on the row so a restarted poller carries on where it stopped.
 * - `calendar_spans`: the spans of the next days, replaced as a whole after every successful read.
 * - Row-level security: your own rows only. The poller lists what is due across users only through
 *   `statusync_calendar_poll_targets()`, which returns ids and nothing else.
 */
export class Calendars1764000008000 implements MigrationInterface {
  name = 'Calendars1764000008000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE TABLE calendar_connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('ics', 'google', 'microsoft')),
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'broken', 'reauth_required')),
        owner_email text CHECK (length(owner_email) <= 320),
        url_ciphertext bytea,
        url_key_id text,
        url_hint text,
        rules jsonb NOT NULL DEFAULT '{}'::jsonb,
        etag text,
        last_modified text,
        failures integer NOT NULL DEFAULT 0,
        last_fetched_at timestamptz,
        spans_computed_at timestamptz,
        next_fetch_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (type <> 'ics' OR (url_ciphertext IS NOT NULL AND url_key_id IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX ix_calendar_connections_user ON calendar_connections (user_id, created_at)`);
    await db.query(`
      CREATE TABLE calendar_spans (
        calendar_id uuid NOT NULL REFERENCES calendar_connections(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        kind text NOT NULL CHECK (kind IN ('out_of_office', 'meeting', 'focus')),
        title text,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (calendar_id, starts_at),
        CHECK (ends_at > starts_at)
      )`);
    await db.query(`CREATE INDEX ix_calendar_spans_user_start ON calendar_spans (user_id, starts_at)`);

    for (const table of ['calendar_connections', 'calendar_spans']) {
      await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO statusync_app, statusync_system`);
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`CREATE POLICY ${table}_system ON ${table} TO statusync_system USING (true) WITH CHECK (true)`);
      await db.query(`
        CREATE POLICY ${table}_own ON ${table} FOR ALL TO statusync_app
        USING (user_id = statusync_current_user_id()) WITH CHECK (user_id = statusync_current_user_id())`);
    }
    // A span must belong to a calendar of the same user (the FK alone would let a user point at another's id).
    await db.query(`CREATE UNIQUE INDEX uq_calendar_connections_id_user ON calendar_connections (id, user_id)`);
    await db.query(`
      ALTER TABLE calendar_spans ADD CONSTRAINT fk_calendar_spans_owner
      FOREIGN KEY (calendar_id, user_id) REFERENCES calendar_connections (id, user_id) ON DELETE CASCADE`);

    // Org defaults for calendar rules: members (and the poller, scoped to one member) read their org's; admins write.
    await db.query(`
      CREATE TABLE org_calendar_defaults (
        org_id text PRIMARY KEY,
        rules jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON org_calendar_defaults TO statusync_app, statusync_system`);
    await db.query(`ALTER TABLE org_calendar_defaults ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE org_calendar_defaults FORCE ROW LEVEL SECURITY`);
    await db.query(`CREATE POLICY org_calendar_defaults_system ON org_calendar_defaults TO statusync_system USING (true) WITH CHECK (true)`);
    await db.query(`
      CREATE POLICY org_calendar_defaults_read ON org_calendar_defaults FOR SELECT TO statusync_app
      USING (org_id = statusync_current_org_id() OR org_id = (SELECT u.org_id FROM users u WHERE u.id = statusync_current_user_id()))`);
    for (const action of ['INSERT', 'UPDATE', 'DELETE']) {
      const rule = `org_id = statusync_current_org_id() AND statusync_current_role() = 'admin'`;
      const using = action === 'INSERT' ? '' : `USING (${rule})`;
      const check = action === 'DELETE' ? '' : `WITH CHECK (${rule})`;
      await db.query(`CREATE POLICY org_calendar_defaults_admin_${action.toLowerCase()} ON org_calendar_defaults FOR ${action} TO statusync_app ${using} ${check}`);
    }

    await db.query(`
      CREATE FUNCTION statusync_calendar_poll_targets() RETURNS TABLE (id uuid, user_id uuid, next_fetch_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
        SELECT id, user_id, next_fetch_at FROM calendar_connections WHERE state <> 'reauth_required' ORDER BY next_fetch_at NULLS FIRST
      $$`);
    await db.query(`ALTER FUNCTION statusync_calendar_poll_targets() OWNER TO statusync_system`);
    await db.query(`REVOKE ALL ON FUNCTION statusync_calendar_poll_targets() FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION statusync_calendar_poll_targets() TO statusync_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS statusync_calendar_poll_targets()`);
    await db.query(`DROP TABLE IF EXISTS org_calendar_defaults`);
    await db.query(`DROP TABLE IF EXISTS calendar_spans`);
    await db.query(`DROP TABLE IF EXISTS calendar_connections`);
  }
}
