import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A status as stored (jsonb from the availability function: dates arrive as ISO strings). */
export interface StoredStatus {
  kind: 'set' | 'clear';
  emoji: string | null;
  message: string | null;
  expiresAt: string | null;
  overrides: Record<string, { emoji?: string; message?: string }> | null;
}

export interface LatestUpdate extends StoredStatus {
  id: string;
  limitedAvailability: boolean;
  source: 'manual' | 'preset' | 'template' | 'schedule' | 'calendar';
  preset: string | null;
  templateName: string | null;
  platforms: string[];
}

export interface PlatformFacts {
  platform: string;
  configState: 'active' | 'reauth_required';
  seenEmoji: string | null;
  seenMessage: string | null;
  seenExpiresAt: string | null;
  seenAt: string | null;
  applied: StoredStatus | null;
  delivery: { state: 'pending' | 'succeeded' | 'failed' | 'superseded'; errorCode: string | null } | null;
}

export interface MemberFacts {
  userId: string;
  subject: string;
  timeZone: string;
  latest: LatestUpdate | null;
  platforms: PlatformFacts[];
}

/** What a platform answered: the status it now shows (null fields: nothing shown). */
export interface PlatformReading {
  emoji: string | null;
  message: string | null;
  expiresAt: Date | null;
}

/** Team availability (across users, through one SECURITY DEFINER function) and the platforms' readings. */
@Injectable()
export class AvailabilityRepository {
  /**
   * One page of members by subject (after `afterSubject`), or the one member `subject`. Empty when the caller
   * may not see the team: the function checks org, and admin role or membership, itself.
   */
  async teamPage(db: EntityManager, teamId: string, page: { afterSubject?: string; limit: number; subject?: string }): Promise<MemberFacts[]> {
    const rows = (await db.query(
      `SELECT user_id AS "userId", subject, time_zone AS "timeZone", latest, platforms FROM statusync_team_availability($1, $2, $3, $4)`,
      [teamId, page.afterSubject ?? null, page.limit, page.subject ?? null],
    )) as MemberFacts[];
    return rows;
  }

  /**
   * Stores what the platform showed (after a write: its receipt; or a read-back), in the user's scope. True when
   * it differs from the reading before (so a read-back that found nothing new notifies nobody).
   */
  async recordReading(db: EntityManager, userId: string, platform: string, reading: PlatformReading, via: 'receipt' | 'read'): Promise<boolean> {
    const rows = (await db.query(
      `WITH changed AS (
         UPDATE platform_configs c SET seen_emoji = $3, seen_message = $4, seen_expires_at = $5, seen_at = now(), seen_via = $6
         FROM (SELECT id, seen_emoji, seen_message, seen_at FROM platform_configs WHERE user_id = $1 AND platform = $2) old
         WHERE c.id = old.id
         RETURNING (old.seen_at IS NULL OR old.seen_emoji IS DISTINCT FROM $3 OR old.seen_message IS DISTINCT FROM $4) AS differs)
       SELECT differs FROM changed`,
      [userId, platform, reading.emoji, reading.message, reading.expiresAt, via],
    )) as { differs: boolean }[];
    return rows[0]?.differs ?? false;
  }
}
