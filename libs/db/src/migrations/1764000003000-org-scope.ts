import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the templates, teams and analytics features share (issue 8):
 * - the caller's org role beside the user and org ids in every scoped transaction (`statusync.role`), so
 *   row-level policies can let an org admin write org-wide rows and nobody reach another org's;
 * - a person's time zone and working hours (placeholders, team local time, floating calendar times);
 * - where each status update came from (`source`) and, for templates, which one (id and name at that time),
 *   plus per-platform overrides of emoji and message, so history and analytics can tell them apart.
 */
export class OrgScope1764000003000 implements MigrationInterface {
  name = 'OrgScope1764000003000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION statusync_current_role() RETURNS text LANGUAGE sql STABLE
      AS $$ SELECT COALESCE(NULLIF(current_setting('statusync.role', true), ''), 'member') $$`);
    await db.query(`
      ALTER TABLE users
        ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
        ADD COLUMN working_hours jsonb`);
    await db.query(`
      ALTER TABLE status_updates
        ADD COLUMN source text NOT NULL DEFAULT 'manual',
        ADD COLUMN template_id uuid,
        ADD COLUMN template_name text,
        ADD COLUMN platform_overrides jsonb,
        ADD CONSTRAINT ck_status_updates_source CHECK (source IN ('manual', 'preset', 'template', 'schedule', 'calendar'))`);
    await db.query(`UPDATE status_updates SET source = 'preset' WHERE preset IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE status_updates
        DROP CONSTRAINT IF EXISTS ck_status_updates_source,
        DROP COLUMN IF EXISTS platform_overrides,
        DROP COLUMN IF EXISTS template_name,
        DROP COLUMN IF EXISTS template_id,
        DROP COLUMN IF EXISTS source`);
    await db.query(`ALTER TABLE users DROP COLUMN IF EXISTS working_hours, DROP COLUMN IF EXISTS time_zone`);
    await db.query(`DROP FUNCTION IF EXISTS statusync_current_role()`);
  }
}
