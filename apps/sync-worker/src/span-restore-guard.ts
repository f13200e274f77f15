import { Injectable } from '@nestjs/common';
import { SpanRestoresRepository, StatusUpdateEntity, StatusUpdatesRepository } from '@statusync/db';
import { canonicalEmoji, PlatformAdapter, PlatformStatusReading } from '@statusync/platforms';
import { EntityManager } from 'typeorm';

/** Whether to push a span's update, or keep what the user put on the platform themselves. */
export type SpanGuardDecision = 'push' | 'keep-user-status';

/**
 * The worker's part of Restore, for updates that come from schedules and calendars only:
 * - the first update of a block to reach a platform reads back what the platform showed and stores it with
 *   the block (before we overwrite it), so the block's end can put exactly that back;
 * - a restore reads the platform first: if it shows something else than what the block set (the user changed
 *   it on the platform), theirs stays. An empty status counts as ours having expired, so the restore goes ahead.
 */
@Injectable()
export class SpanRestoreGuard {
  constructor(
    private readonly restores: SpanRestoresRepository,
    private readonly updates: StatusUpdatesRepository,
  ) {}

  async beforePush(db: EntityManager, update: StatusUpdateEntity, platform: string, adapter: PlatformAdapter, token: string): Promise<SpanGuardDecision> {
    if (update.source !== 'schedule' && update.source !== 'calendar') return 'push';
    const capture = await this.restores.toCapture(db, update.id, platform);
    if (capture) {
      const reading = await adapter.readStatus(token);
      await this.restores.capture(db, update.userId, platform, reading);
      return 'push';
    }
    const restoring = await this.restores.restoredBy(db, update.id, platform);
    if (!restoring) return 'push';
    const ours = await this.updates.findById(db, restoring.shownUpdateId);
    const reading = await adapter.readStatus(token);
    return ours && !showsOursOrNothing(reading, ours, platform) ? 'keep-user-status' : 'push';
  }
}

function showsOursOrNothing(reading: PlatformStatusReading, ours: StatusUpdateEntity, platform: string): boolean {
  if (!reading.emoji && !reading.message) return true;
  const override = ours.platformOverrides?.[platform];
  const emoji = override?.emoji ?? ours.emoji;
  const message = override?.message ?? ours.message;
  return canonicalEmoji(reading.emoji ?? '') === canonicalEmoji(emoji ?? '') && (reading.message ?? '') === (message ?? '');
}
