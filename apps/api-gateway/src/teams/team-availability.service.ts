import { Injectable } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { AvailabilityRepository, MemberFacts, TeamsRepository, UserScope } from '@statusync/db';
import { isPlatformId } from '@statusync/platforms';
import { READING_STALE_MS, ReadStatusJob, StatusReadProducer } from '@statusync/queue';
import { AuthUser } from '../auth/auth-user';
import { validationFailed } from '../http/validation';
import { memberAvailabilityView } from './availability.mapper';
import { AvailabilityPageView, MemberAvailabilityView } from './availability.views';

const encodeCursor = (subject: string) => Buffer.from(subject, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

/**
 * A team's availability, read through the one SECURITY DEFINER function (which checks the caller may see the
 * team). Members whose platform readings are stale get a read-back job each (deduplicated per window).
 */
@Injectable()
export class TeamAvailabilityService {
  constructor(
    private readonly scope: UserScope,
    private readonly teams: TeamsRepository,
    private readonly availability: AvailabilityRepository,
    private readonly reads: StatusReadProducer,
  ) {}

  async page(user: AuthUser, teamId: string, limit: number, cursor?: string): Promise<AvailabilityPageView> {
    const afterSubject = cursor === undefined ? undefined : decodeCursor(cursor);
    // Only what this API issued: the exact encoding of a storable subject (no NUL, valid UTF-8).
    if (afterSubject === '' || afterSubject?.includes('\u0000') || (cursor !== undefined && encodeCursor(afterSubject!) !== cursor)) {
      throw validationFailed([{ field: 'cursor', reason: 'cursor is not a cursor this API issued' }]);
    }
    const rows = await this.readable(user, teamId, () => ({ afterSubject, limit: limit + 1 }));
    const page = rows.slice(0, limit);
    await this.reads.enqueue(staleReadings(page));
    const now = new Date();
    return { items: page.map((member) => memberAvailabilityView(member, now)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].subject) : null };
  }

  /** One member (for live streams); null when they are no longer in the team or the caller may no longer look. */
  async member(user: AuthUser, teamId: string, subject: string): Promise<MemberAvailabilityView | null> {
    const rows = await this.scope.run(user.id, (db) => this.availability.teamPage(db, teamId, { subject, limit: 1 }), { orgId: user.orgId, role: user.role });
    return rows[0] ? memberAvailabilityView(rows[0]) : null;
  }

  /** Checks the caller may read the team (404 outside the org, 403 for a non-member), then reads one page. */
  async readable(user: AuthUser, teamId: string, page: () => { afterSubject?: string; limit: number }): Promise<MemberFacts[]> {
    return this.scope.run(
      user.id,
      async (db) => {
        if (!(await this.teams.find(db, teamId))) throw new ProblemException(404, 'not-found', 'Not Found', 'team not found');
        if (user.role !== 'admin' && !(await this.teams.isMember(db, teamId, user.id))) {
          throw new ProblemException(403, 'forbidden', 'Forbidden', "Only the team's members and the org's admins can see its availability");
        }
        return this.availability.teamPage(db, teamId, page());
      },
      { orgId: user.orgId, role: user.role },
    );
  }
}

/** Connected platforms whose reading is missing or older than READING_STALE_MS. */
function staleReadings(members: MemberFacts[], now = Date.now()): ReadStatusJob[] {
  return members.flatMap((member) =>
    member.platforms
      .filter((facts) => facts.configState === 'active' && isPlatformId(facts.platform))
      .filter((facts) => !facts.seenAt || now - new Date(facts.seenAt).getTime() > READING_STALE_MS)
      .map((facts) => ({ userId: member.userId, platform: facts.platform as ReadStatusJob['platform'], staleSince: facts.seenAt ? new Date(facts.seenAt).getTime() : 0 })),
  );
}
