import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Templates (issue 8): personal ones (`user_id`) and org-wide ones (`org_id`, no user), an expiry either as
 * minutes or "end of the day" in the user's zone, the platforms and per-platform overrides. Names are unique per
 * scope regardless of case (`Busy` and `busy` are one preset). Row-level security: your own templates; your
 * org's to read; your org's to write only as its admin (`statusync.role`).
 */
export class Templates1764000004000 implements MigrationInterface {
  name = 'Templates1764000004000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE status_templates
        ADD COLUMN until text,
        ADD COLUMN platforms text[],
        ADD COLUMN overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD CONSTRAINT ck_status_templates_until CHECK (until IN ('end_of_day')),
        ADD CONSTRAINT ck_status_templates_one_expiry CHECK (duration_minutes IS NULL OR until IS NULL),
        ADD CONSTRAINT ck_status_templates_name CHECK (length(name) BETWEEN 1 AND 64),
        ADD CONSTRAINT ck_status_templates_platforms CHECK (platforms IS NULL OR cardinality(platforms) > 0),
        ADD CONSTRAINT ck_status_templates_one_owner CHECK ((user_id IS NULL) <> (org_id IS NULL))`);
    await db.query(`DROP INDEX uq_status_templates_user_name`);
    await db.query(`DROP INDEX uq_status_templates_org_name`);
    await db.query(`CREATE UNIQUE INDEX uq_status_templates_user_name ON status_templates (user_id, lower(name)) WHERE user_id IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_status_templates_org_name ON status_templates (org_id, lower(name)) WHERE user_id IS NULL`);

    await db.query(`DROP POLICY status_templates_read ON status_templates`);
    await db.query(`DROP POLICY status_templates_write ON status_templates`);
    await db.query(`
      CREATE POLICY status_templates_personal ON status_templates FOR ALL TO statusync_app
      USING (user_id = statusync_current_user_id()) WITH CHECK (user_id = statusync_current_user_id() AND org_id IS NULL)`);
    await db.query(`
      CREATE POLICY status_templates_org_read ON status_templates FOR SELECT TO statusync_app
      USING (user_id IS NULL AND org_id = statusync_current_org_id())`);
    await db.query(`
      CREATE POLICY status_templates_org_admin ON status_templates FOR ALL TO statusync_app
      USING (user_id IS NULL AND org_id = statusync_current_org_id() AND statusync_current_role() = 'admin')
      WITH CHECK (user_id IS NULL AND org_id = statusync_current_org_id() AND statusync_current_role() = 'admin')`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const policy of ['status_templates_org_admin', 'status_templates_org_read', 'status_templates_personal']) {
      await db.query(`DROP POLICY IF EXISTS ${policy} ON status_templates`);
    }
    await db.query(`
      CREATE POLICY status_templates_read ON status_templates FOR SELECT TO statusync_app
      USING (user_id = statusync_current_user_id() OR (user_id IS NULL AND org_id = statusync_current_org_id()))`);
    await db.query(`
      CREATE POLICY status_templates_write ON status_templates FOR ALL TO statusync_app
      USING (user_id = statusync_current_user_id()) WITH CHECK (user_id = statusync_current_user_id())`);
    await db.query(`DROP INDEX IF EXISTS uq_status_templates_user_name`);
    await db.query(`DROP INDEX IF EXISTS uq_status_templates_org_name`);
    await db.query(`CREATE UNIQUE INDEX uq_status_templates_user_name ON status_templates (user_id, name) WHERE user_id IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_status_templates_org_name ON status_templates (org_id, name) WHERE user_id IS NULL AND org_id IS NOT NULL`);
    await db.query(`
      ALTER TABLE status_templates
        DROP CONSTRAINT IF EXISTS ck_status_templates_one_owner,
        DROP CONSTRAINT IF EXISTS ck_status_templates_platforms,
        DROP CONSTRAINT IF EXISTS ck_status_templates_name,
        DROP CONSTRAINT IF EXISTS ck_status_templates_one_expiry,
        DROP CONSTRAINT IF EXISTS ck_status_templates_until,
        DROP COLUMN IF EXISTS overrides,
        DROP COLUMN IF EXISTS platforms,
        DROP COLUMN IF EXISTS until`);
  }
}
