import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';

export interface TeamRow {
  id: string;
  name: string;
  memberCount: number;
}

/** Another team of the org already has this name (names are unique per org, case-insensitively). */
export class TeamNameTakenError extends Error {}

const UNIQUE_VIOLATION = '23505';
const SELECT_TEAM = `SELECT t.id, t.name, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id)::int AS "memberCount" FROM teams t`;

/**
 * Teams and their members. Every method takes the caller's scoped transaction (UserScope with org and role):
 * row-level security limits it to the caller's org, and lets only the org's admins write.
 */
@Injectable()
export class TeamsRepository {
  async create(db: EntityManager, orgId: string, name: string): Promise<TeamRow> {
    const rows = await this.guardName(() => db.query(`INSERT INTO teams (org_id, name) VALUES ($1, $2) RETURNING id, name`, [orgId, name]));
    return { ...(rows as TeamRow[])[0], memberCount: 0 };
  }

  /** The org's teams the user belongs to, or all of them (`all`, for admins), by name. */
  async list(db: EntityManager, userId: string, all: boolean): Promise<TeamRow[]> {
    return db.query(
      `${SELECT_TEAM} WHERE $2 OR EXISTS (SELECT 1 FROM team_members me WHERE me.team_id = t.id AND me.user_id = $1) ORDER BY lower(t.name), t.id`,
      [userId, all],
    );
  }

  async find(db: EntityManager, id: string): Promise<TeamRow | null> {
    const rows = (await db.query(`${SELECT_TEAM} WHERE t.id = $1`, [id])) as TeamRow[];
    return rows[0] ?? null;
  }

  async isMember(db: EntityManager, teamId: string, userId: string): Promise<boolean> {
    const rows = (await db.query(`SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2`, [teamId, userId])) as unknown[];
    return rows.length > 0;
  }

  async rename(db: EntityManager, id: string, name: string): Promise<void> {
    await this.guardName(() => db.query(`UPDATE teams SET name = $2, updated_at = now() WHERE id = $1`, [id, name]));
  }

  async delete(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM teams WHERE id = $1`, [id]);
  }

  /**
   * The user id of an org member named by subject (created in the caller's org on first sight when `create`);
   * null when the subject belongs to another org or to none. Through the narrow SECURITY DEFINER function:
   * the caller cannot see other users' rows.
   */
  async orgMemberId(db: EntityManager, subject: string, create: boolean): Promise<string | null> {
    const [row] = (await db.query(`SELECT statusync_org_member_id($1, $2) AS id`, [subject, create])) as { id: string | null }[];
    return row.id;
  }

  /** Adds a member; true when they were not one already. */
  async addMember(db: EntityManager, teamId: string, userId: string): Promise<boolean> {
    const rows = (await db.query(`INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`, [teamId, userId])) as unknown[];
    return rows.length > 0;
  }

  async removeMember(db: EntityManager, teamId: string, userId: string): Promise<boolean> {
    // Wrapped in a SELECT so the driver's answer has one shape (a DELETE's differs between drivers).
    const [row] = (await db.query(`WITH gone AS (DELETE FROM team_members WHERE team_id = $1 AND user_id = $2 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [
      teamId,
      userId,
    ])) as { n: number }[];
    return row.n > 0;
  }

  /**
   * A user's subject and the teams they belong to, in their own scope (their own membership rows are visible to
   * them even without an org): who live events about them go to.
   */
  async membershipsOf(db: EntityManager, userId: string): Promise<{ subject: string; teamIds: string[] } | null> {
    const rows = (await db.query(
      `SELECT u.subject, ARRAY(SELECT m.team_id FROM team_members m WHERE m.user_id = u.id) AS "teamIds" FROM users u WHERE u.id = $1`,
      [userId],
    )) as { subject: string; teamIds: string[] }[];
    return rows[0] ?? null;
  }

  private async guardName<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) throw new TeamNameTakenError();
      throw error;
    }
  }
}
