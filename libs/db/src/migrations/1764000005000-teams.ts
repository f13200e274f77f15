import { MigrationInterface, QueryRunner } from 'typeorm';
import { TEAM_AVAILABILITY_FUNCTION, ORG_MEMBER_FUNCTION } from './teams.functions';

/**
 * Teams (issue 8): named groups of an org's users, and what each platform was last seen showing (drift).
 * - `teams` and `team_members` are visible only inside the caller's org and written only by its admins;
 *   a user also sees their own memberships (so the worker, scoped to one user, can tell which team streams
 *   to notify).
 * - Reading teammates' statuses crosses users: only through `statusync_team_availability`, which itself
 *   checks the caller may see the team. No user-table policy is loosened.
 * - `platform_configs.seen_*`: the platform's own answer (receipt after a write, or a read-back).
 */
export class Teams1764000005000 implements MigrationInterface {
  name = 'Teams1764000005000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id text NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_teams_org_name ON teams (org_id, lower(name))`);
    await db.query(`
      CREATE TABLE team_members (
        team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      )`);
    await db.query(`CREATE INDEX ix_team_members_user ON team_members (user_id)`);

    for (const table of ['teams', 'team_members']) {
      await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO statusync_app, statusync_system`);
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`CREATE POLICY ${table}_system ON ${table} TO statusync_system USING (true) WITH CHECK (true)`);
    }
    await db.query(`CREATE POLICY teams_read ON teams FOR SELECT TO statusync_app USING (org_id = statusync_current_org_id())`);
    for (const action of ['INSERT', 'UPDATE', 'DELETE']) {
      const using = action === 'INSERT' ? '' : `USING (org_id = statusync_current_org_id() AND statusync_current_role() = 'admin')`;
      const check = action === 'DELETE' ? '' : `WITH CHECK (org_id = statusync_current_org_id() AND statusync_current_role() = 'admin')`;
      await db.query(`CREATE POLICY teams_admin_${action.toLowerCase()} ON teams FOR ${action} TO statusync_app ${using} ${check}`);
    }
    // The subquery on teams runs under teams' own policy, so "a team of my org" is all it can mean.
    await db.query(`
      CREATE POLICY team_members_read ON team_members FOR SELECT TO statusync_app
      USING (user_id = statusync_current_user_id() OR EXISTS (SELECT 1 FROM teams t WHERE t.id = team_id))`);
    for (const action of ['INSERT', 'UPDATE', 'DELETE']) {
      const rule = `statusync_current_role() = 'admin' AND EXISTS (SELECT 1 FROM teams t WHERE t.id = team_id AND t.org_id = statusync_current_org_id())`;
      const using = action === 'INSERT' ? '' : `USING (${rule})`;
      const check = action === 'DELETE' ? '' : `WITH CHECK (${rule})`;
      await db.query(`CREATE POLICY team_members_admin_${action.toLowerCase()} ON team_members FOR ${action} TO statusync_app ${using} ${check}`);
    }

    await db.query(`
      ALTER TABLE platform_configs
        ADD COLUMN seen_emoji text,
        ADD COLUMN seen_message text,
        ADD COLUMN seen_expires_at timestamptz,
        ADD COLUMN seen_at timestamptz,
        ADD COLUMN seen_via text CHECK (seen_via IN ('receipt', 'read'))`);

    await db.query(ORG_MEMBER_FUNCTION(schema));
    await db.query(TEAM_AVAILABILITY_FUNCTION(schema));
    for (const fn of ['statusync_org_member_id(text, boolean)', 'statusync_team_availability(uuid, text, int, text)']) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO statusync_system`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS statusync_team_availability(uuid, text, int, text)`);
    await db.query(`DROP FUNCTION IF EXISTS statusync_org_member_id(text, boolean)`);
    await db.query(`
      ALTER TABLE platform_configs DROP COLUMN IF EXISTS seen_via, DROP COLUMN IF EXISTS seen_at,
        DROP COLUMN IF EXISTS seen_expires_at, DROP COLUMN IF EXISTS seen_message, DROP COLUMN IF EXISTS seen_emoji`);
    await db.query(`DROP TABLE IF EXISTS team_members`);
    await db.query(`DROP TABLE IF EXISTS teams`);
  }
}
