import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables holding user data, and the column that says whose a row is. */
const USER_TABLES: [table: string, ownerColumn: string][] = [
  ['users', 'id'],
  ['platform_configs', 'user_id'],
  ['status_updates', 'user_id'],
  ['status_deliveries', 'user_id'],
  ['sync_logs', 'user_id'],
  ['scheduled_statuses', 'user_id'],
  ['audit_events', 'user_id'],
];

/**
 * Row-level security (docs/security.md). Two roles, created once per cluster:
 * - `statusync_app`: what every service runs as. Owns nothing, cannot bypass RLS, sees only the rows of the
 *   user named in the transaction (`set_config('statusync.user_id', …, true)`); with no user set it sees nothing.
 * - `statusync_system`: owns the few SECURITY DEFINER functions that must cross users (finding a user by JWT
 *   subject, the outbox sweep) and is used by operator commands (key rotation). It cannot log in.
 * Creating the roles needs CREATEROLE (or a superuser) the first time; an operator may create them beforehand.
 */
export class RowLevelSecurity1764000001000 implements MigrationInterface {
  name = 'RowLevelSecurity1764000001000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'statusync_app') THEN
          CREATE ROLE statusync_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'statusync_system') THEN
          CREATE ROLE statusync_system NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        END IF;
      END $$`);

    await db.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        event text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ix_audit_events_user ON audit_events (user_id, id DESC)`);

    // The current user and org of this transaction; NULL (no rows visible) when the service forgot to set them.
    await db.query(`
      CREATE FUNCTION statusync_current_user_id() RETURNS uuid LANGUAGE sql STABLE
      AS $$ SELECT NULLIF(current_setting('statusync.user_id', true), '')::uuid $$`);
    await db.query(`
      CREATE FUNCTION statusync_current_org_id() RETURNS text LANGUAGE sql STABLE
      AS $$ SELECT NULLIF(current_setting('statusync.org_id', true), '') $$`);

    await db.query(`GRANT USAGE ON SCHEMA "${schema}" TO statusync_app, statusync_system`);
    for (const [table, ownerColumn] of [...USER_TABLES, ['status_templates', 'user_id'] as [string, string]]) {
      await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO statusync_app, statusync_system`);
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`CREATE POLICY ${table}_system ON ${table} TO statusync_system USING (true) WITH CHECK (true)`);
      if (table === 'status_templates') continue;
      await db.query(`
        CREATE POLICY ${table}_owner ON ${table} TO statusync_app
        USING (${ownerColumn} = statusync_current_user_id()) WITH CHECK (${ownerColumn} = statusync_current_user_id())`);
    }
    // Templates: your own, or your org's (read-only until org administration arrives).
    await db.query(`
      CREATE POLICY status_templates_read ON status_templates FOR SELECT TO statusync_app
      USING (user_id = statusync_current_user_id() OR (user_id IS NULL AND org_id = statusync_current_org_id()))`);
    await db.query(`
      CREATE POLICY status_templates_write ON status_templates FOR ALL TO statusync_app
      USING (user_id = statusync_current_user_id()) WITH CHECK (user_id = statusync_current_user_id())`);
    await db.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO statusync_app, statusync_system`);

    // The only ways across users, each narrow. SECURITY DEFINER runs them as statusync_system; a fixed
    // search_path keeps a caller from swapping in look-alike tables.
    await db.query(`
      CREATE FUNCTION statusync_user_id_for_subject(p_subject text, p_org_id text) RETURNS uuid
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
      DECLARE found uuid;
      BEGIN
        INSERT INTO users (subject, org_id) VALUES (p_subject, p_org_id)
        ON CONFLICT (subject) DO UPDATE SET org_id = EXCLUDED.org_id WHERE users.org_id IS DISTINCT FROM EXCLUDED.org_id
        RETURNING id INTO found;
        IF found IS NULL THEN SELECT id INTO found FROM users WHERE subject = p_subject; END IF;
        RETURN found;
      END $$`);
    await db.query(`
      CREATE FUNCTION statusync_pending_deliveries(p_older_than_ms double precision, p_limit int)
      RETURNS TABLE (update_id uuid, platform text, user_id uuid, request_id text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
        SELECT d.update_id, d.platform, d.user_id, u.request_id
        FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id
        WHERE d.state = 'pending' AND d.created_at < now() - make_interval(secs => p_older_than_ms / 1000)
        ORDER BY d.created_at
        LIMIT p_limit
      $$`);
    for (const fn of ['statusync_user_id_for_subject(text, text)', 'statusync_pending_deliveries(double precision, int)']) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO statusync_system`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`DROP FUNCTION IF EXISTS statusync_pending_deliveries(double precision, int)`);
    await db.query(`DROP FUNCTION IF EXISTS statusync_user_id_for_subject(text, text)`);
    for (const [table] of [...USER_TABLES, ['status_templates']]) {
      // The grants go with the policies: the roles must not keep access to tables without row-level security.
      await db.query(`REVOKE ALL ON ${table} FROM statusync_app, statusync_system`);
      await db.query(`DROP POLICY IF EXISTS ${table}_owner ON ${table}`);
      await db.query(`DROP POLICY IF EXISTS ${table}_system ON ${table}`);
      await db.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    await db.query(`DROP POLICY IF EXISTS status_templates_read ON status_templates`);
    await db.query(`DROP POLICY IF EXISTS status_templates_write ON status_templates`);
    await db.query(`DROP FUNCTION IF EXISTS statusync_current_org_id()`);
    await db.query(`DROP FUNCTION IF EXISTS statusync_current_user_id()`);
    await db.query(`DROP TABLE IF EXISTS audit_events`);
    await db.query(`REVOKE USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" FROM statusync_app, statusync_system`);
    await db.query(`REVOKE USAGE ON SCHEMA "${schema}" FROM statusync_app, statusync_system`);
    // The roles are cluster-wide and may serve other schemas: left in place.
  }
}
