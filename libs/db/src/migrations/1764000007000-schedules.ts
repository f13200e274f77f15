import { MigrationInterface, QueryRunner } from 'typeorm';
import { DUE_SPAN_EDGES_FUNCTION, RECURRING_SCHEDULES_FUNCTION } from './schedules.functions';

const FUNCTIONS = ['statusync_due_span_edges(timestamptz, int)', 'statusync_recurring_schedules(int)'];

/**
 * Scheduled statuses and the span engine (issue 9).
 * - `scheduled_statuses` gains an RRULE, its IANA zone and the template name it was resolved from.
 * - `status_spans`: every timed span of a user (a schedule occurrence or a calendar busy span), keyed per source
 *   occurrence so a source can replace its spans idempotently.
 * - `span_edges`: one row per fired edge (start/end) of a span. Its primary key is what makes several scheduler
 *   replicas (or a job replayed after a Redis flush) fire an edge once.
 * - `span_restores`: per user and platform, the open block of merged spans: what the platform showed before we
 *   set ours (read back by the worker) and what to restore at the end.
 * Row-level security: a user's own rows; the scheduler's cross-user scan goes through one SECURITY DEFINER function.
 */
export class Schedules1764000007000 implements MigrationInterface {
  name = 'Schedules1764000007000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      ALTER TABLE scheduled_statuses
        ADD COLUMN rrule text,
        ADD COLUMN time_zone text,
        ADD COLUMN template_name text,
        ADD CONSTRAINT ck_scheduled_statuses_rrule_end CHECK (rrule IS NULL OR ends_at IS NOT NULL)`);
    await db.query(`
      CREATE TABLE status_spans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        source text NOT NULL CHECK (source IN ('schedule', 'calendar')),
        source_id uuid NOT NULL,
        occurrence_key text NOT NULL CHECK (length(occurrence_key) BETWEEN 1 AND 200),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
        emoji text,
        message text,
        limited_availability boolean NOT NULL DEFAULT false,
        platforms text[],
        template_id uuid,
        template_name text,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source, source_id, occurrence_key)
      )`);
    await db.query(`CREATE INDEX ix_status_spans_starts ON status_spans (starts_at) WHERE cancelled_at IS NULL`);
    await db.query(`CREATE INDEX ix_status_spans_ends ON status_spans (ends_at) WHERE cancelled_at IS NULL`);
    await db.query(`CREATE INDEX ix_status_spans_user ON status_spans (user_id, starts_at)`);
    await db.query(`
      CREATE TABLE span_edges (
        span_id uuid NOT NULL REFERENCES status_spans(id) ON DELETE CASCADE,
        edge text NOT NULL CHECK (edge IN ('start', 'end')),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        outcome text NOT NULL,
        update_ids uuid[] NOT NULL DEFAULT '{}',
        fired_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (span_id, edge)
      )`);
    await db.query(`CREATE INDEX ix_span_edges_user ON span_edges (user_id)`);
    await db.query(`
      CREATE TABLE span_restores (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        platform text NOT NULL,
        shown_span_id uuid NOT NULL,
        set_update_id uuid NOT NULL,
        shown_update_id uuid NOT NULL,
        opened_seq bigint NOT NULL,
        captured_at timestamptz,
        prev_emoji text,
        prev_message text,
        prev_expires_at timestamptz,
        ended_at timestamptz,
        restore_update_id uuid,
        outcome text,
        PRIMARY KEY (user_id, platform)
      )`);
    await db.query(`CREATE INDEX ix_span_restores_set ON span_restores (set_update_id)`);
    await db.query(`CREATE INDEX ix_span_restores_shown ON span_restores (shown_update_id)`);
    await db.query(`CREATE INDEX ix_span_restores_restore ON span_restores (restore_update_id) WHERE restore_update_id IS NOT NULL`);

    for (const table of ['status_spans', 'span_edges', 'span_restores']) {
      await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO statusync_app, statusync_system`);
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`CREATE POLICY ${table}_system ON ${table} TO statusync_system USING (true) WITH CHECK (true)`);
      await db.query(`
        CREATE POLICY ${table}_owner ON ${table} FOR ALL TO statusync_app
        USING (user_id = statusync_current_user_id()) WITH CHECK (user_id = statusync_current_user_id())`);
    }
    await db.query(DUE_SPAN_EDGES_FUNCTION(schema));
    await db.query(RECURRING_SCHEDULES_FUNCTION(schema));
    for (const fn of FUNCTIONS) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO statusync_system`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS) await db.query(`DROP FUNCTION IF EXISTS ${fn}`);
    for (const table of ['span_restores', 'span_edges', 'status_spans']) await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.query(`
      ALTER TABLE scheduled_statuses
        DROP CONSTRAINT IF EXISTS ck_scheduled_statuses_rrule_end,
        DROP COLUMN IF EXISTS template_name,
        DROP COLUMN IF EXISTS time_zone,
        DROP COLUMN IF EXISTS rrule`);
  }
}
