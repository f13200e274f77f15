import { Injectable } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { TeamNameTakenError, TeamRow, TeamsRepository, UserScope } from '@statusync/db';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { TeamView } from './teams.views';

const notFound = () => new ProblemException(404, 'not-found', 'Not Found', 'team not found');
const adminsOnly = () => new ProblemException(403, 'forbidden', 'Forbidden', 'Only an admin of the org can change its teams');
const nameTaken = (name: string) =>
  new ProblemException(409, 'team-name-taken', 'Conflict', `The org already has a team named "${name}"`, [{ field: 'name', reason: 'a team with this name already exists in the org' }]);

/**
 * Teams of the caller's org. Row-level security confines every query to the org and lets only its admins
 * write; the checks here only choose the answer: 404 for what the caller cannot see (another org's team),
 * 403 for what they can see but not change or read further.
 */
@Injectable()
export class TeamsService {
  constructor(
    private readonly scope: UserScope,
    private readonly teams: TeamsRepository,
  ) {}

  create(user: AuthUser, name: string): Promise<TeamView> {
    if (!user.orgId) throw new ProblemException(403, 'forbidden', 'Forbidden', 'Teams belong to an org; this token has no org_id');
    if (user.role !== 'admin') throw adminsOnly();
    return this.run(user, (db) => this.named(name, () => this.teams.create(db, user.orgId!, name)));
  }

  async list(user: AuthUser): Promise<TeamView[]> {
    if (!user.orgId) return [];
    return this.run(user, (db) => this.teams.list(db, user.id, user.role === 'admin'));
  }

  /** Admins see every team of the org; members the teams they belong to (403 on the others of their org). */
  get(user: AuthUser, id: string): Promise<TeamView> {
    return this.run(user, async (db) => {
      const team = await this.visible(db, id);
      if (user.role !== 'admin' && !(await this.teams.isMember(db, id, user.id))) {
        throw new ProblemException(403, 'forbidden', 'Forbidden', 'You are not a member of this team');
      }
      return team;
    });
  }

  rename(user: AuthUser, id: string, name: string): Promise<TeamView> {
    return this.asAdmin(user, id, async (db) => {
      await this.named(name, () => this.teams.rename(db, id, name));
      return (await this.teams.find(db, id))!;
    });
  }

  async delete(user: AuthUser, id: string): Promise<void> {
    await this.asAdmin(user, id, (db) => this.teams.delete(db, id));
  }

  /** Adds the member named by JWT subject, creating the user in the org on first sight; 409 if they are another org's. */
  addMember(user: AuthUser, id: string, subject: string): Promise<TeamView> {
    return this.asAdmin(user, id, async (db) => {
      const memberId = await this.teams.orgMemberId(db, subject, true);
      if (!memberId) {
        throw new ProblemException(409, 'member-of-another-org', 'Conflict', 'This subject is known outside your org and cannot join its teams', [
          { field: 'subject', reason: 'the user belongs to another org (or to none)' },
        ]);
      }
      await this.teams.addMember(db, id, memberId);
      return (await this.teams.find(db, id))!;
    });
  }

  async removeMember(user: AuthUser, id: string, subject: string): Promise<void> {
    await this.asAdmin(user, id, async (db) => {
      const memberId = await this.teams.orgMemberId(db, subject, false);
      if (!memberId || !(await this.teams.removeMember(db, id, memberId))) {
        throw new ProblemException(404, 'not-found', 'Not Found', 'no such member in this team');
      }
    });
  }

  private asAdmin<T>(user: AuthUser, id: string, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.run(user, async (db) => {
      await this.visible(db, id);
      if (user.role !== 'admin') throw adminsOnly();
      return work(db);
    });
  }

  private async visible(db: EntityManager, id: string): Promise<TeamRow> {
    const team = await this.teams.find(db, id);
    if (!team) throw notFound();
    return team;
  }

  private async named<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof TeamNameTakenError) throw nameTaken(name);
      throw error;
    }
  }

  private run<T>(user: AuthUser, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.scope.run(user.id, work, { orgId: user.orgId, role: user.role });
  }
}
