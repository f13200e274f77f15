import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OneStatement } from '../../user-scope';
import type { AlongsideUpdate } from '../status-updates.repository';

/** One platform's part of a user's open block of merged spans. */
export interface SpanRestore {
  userId: string;
  platform: string;
  shownSpanId: string;
  /** The update that opened the block. */
  setUpdateId: string;
  /** The block's update now on the platform (the opener's, or a later span's within the block). */
  shownUpdateId: string;
  openedSeq: string;
  capturedAt: Date | null;
  previous: { emoji: string | null; message: string | null; expiresAt: Date | null };
  endedAt: Date | null;
  restoreUpdateId: string | null;
}

/** A span_restores row as Postgres answers it. */
export interface SpanRestoreDbRow {
  user_id: string;
  platform: string;
  shown_span_id: string;
  set_update_id: string;
  shown_update_id: string;
  opened_seq: string;
  captured_at: Date | null;
  prev_emoji: string | null;
  prev_message: string | null;
  prev_expires_at: Date | null;
  ended_at: Date | null;
  restore_update_id: string | null;
}

export const toRestore = (row: SpanRestoreDbRow): SpanRestore => ({
  userId: row.user_id,
  platform: row.platform,
  shownSpanId: row.shown_span_id,
  setUpdateId: row.set_update_id,
  shownUpdateId: row.shown_update_id,
  openedSeq: row.opened_seq,
  capturedAt: row.captured_at,
  previous: { emoji: row.prev_emoji, message: row.prev_message, expiresAt: row.prev_expires_at },
  endedAt: row.ended_at,
  restoreUpdateId: row.restore_update_id,
});

/**
 * What each platform showed before a block of spans began (read back by the worker in the job that sets
 * ours) and, at the block's end, the update that restores it. One row per user and platform: a new block
 * replaces the last one's row. Every method takes the user-scoped transaction.
 */
@Injectable()
export class SpanRestoresRepository {
  /**
   * Opens a block (replacing the user's last one per platform) as a step of the statement recording its opening
   * update (StatusUpdatesRepository.record's `alongside`, §41): one row per platform of that update, which is the
   * block's opener and shown update.
   */
  openBlockWith(spanId: string): AlongsideUpdate {
    return {
      sql: (first) => `INSERT INTO span_restores (user_id, platform, shown_span_id, set_update_id, shown_update_id, opened_seq)
            SELECT created.user_id, platform, $${first}::uuid, created.id, created.id, created.seq FROM created, unnest(created.platforms) AS platform
            ON CONFLICT (user_id, platform) DO UPDATE SET shown_span_id = EXCLUDED.shown_span_id, set_update_id = EXCLUDED.set_update_id,
              shown_update_id = EXCLUDED.shown_update_id, opened_seq = EXCLUDED.opened_seq, captured_at = NULL, prev_emoji = NULL,
              prev_message = NULL, prev_expires_at = NULL, ended_at = NULL, restore_update_id = NULL, outcome = NULL`,
      parameters: [spanId],
    };
  }

  /** `end` with outcome `restoring` as a step of the statement recording the restore updates, one per platform (§41). */
  endRestoringWith(): AlongsideUpdate {
    return {
      sql: () => `UPDATE span_restores r SET ended_at = now(), restore_update_id = created.id, outcome = 'restoring'
            FROM created WHERE r.user_id = created.user_id AND r.platform = ANY (created.platforms)`,
      parameters: [],
    };
  }

  /** `switchTo` as a step of the statement recording the update that now shows `spanId` on `platforms` (§48). */
  switchToWith(platforms: string[], spanId: string): AlongsideUpdate {
    return {
      sql: (first) => `UPDATE span_restores r SET shown_span_id = $${first + 1}::uuid, shown_update_id = created.id
            FROM created WHERE r.user_id = created.user_id AND r.platform = ANY($${first}::text[]) AND r.ended_at IS NULL`,
      parameters: [platforms, spanId],
    };
  }

  /** Another span of the block now shows on `platforms`; the previous status captured at the block's start stays. */
  async switchTo(db: EntityManager, userId: string, platforms: string[], spanId: string, setUpdateId: string | null): Promise<void> {
    await db.query(
      `UPDATE span_restores SET shown_span_id = $3, shown_update_id = COALESCE($4, shown_update_id)
       WHERE user_id = $1 AND platform = ANY($2::text[]) AND ended_at IS NULL`,
      [userId, platforms, spanId, setUpdateId],
    );
  }

  async end(db: EntityManager, userId: string, platform: string, restoreUpdateId: string | null, outcome: string): Promise<void> {
    await db.query(
      `UPDATE span_restores SET ended_at = now(), restore_update_id = $3, outcome = $4 WHERE user_id = $1 AND platform = $2`,
      [userId, platform, restoreUpdateId, outcome],
    );
  }

  /**
   * Keeps what `platform` showed before the user's open block first pushes there, so the block's end can put exactly
   * that back. One statement that scopes itself (statusync_capture_span_restore): run it through
   * UserScope.selfScoped, before the push. Which push is the block's first the claim says (SpanGuardFacts.capture).
   */
  async capture(db: OneStatement, userId: string, platform: string, previous: SpanRestore['previous']): Promise<void> {
    await db.query(`SELECT statusync_capture_span_restore($1, $2, $3, $4, $5)`, [userId, platform, previous.emoji, previous.message, previous.expiresAt]);
  }

  /** `capture` for many jobs in one statement (statusync_capture_span_restores), each scoped to its own user. */
  async captureMany(db: OneStatement, captures: SpanCapture[]): Promise<void> {
    // JSON writes a Date as its ISO string, which the function reads back as timestamptz.
    const elements = captures.map((c) => ({ userId: c.userId, platform: c.platform, ...c.previous }));
    await db.query(`SELECT statusync_capture_span_restores($1)`, [JSON.stringify(elements)]);
  }
}

/** One job's capture: the user's platform and what it showed before the block's first push. */
export interface SpanCapture {
  userId: string;
  platform: string;
  previous: SpanRestore['previous'];
}
