import { Injectable } from '@nestjs/common';
import { SpanCapture, SpanGuardFacts, SpanRestoresRepository, StatementBatcher, UserScope } from '@statusync/db';
import { canonicalEmoji, PlatformAdapter, PlatformStatusReading } from '@statusync/platforms';
import { BATCH_LIMITS } from './sync/batch-limits';

/** Whether to push a span's update, or keep what the user put on the platform themselves. */
export type SpanGuardDecision = 'push' | 'keep-user-status';

/**
 * The worker's part of Restore, for updates that come from schedules and calendars only (the claim read which
 * part of a block the update is: `SpanGuardFacts`, null for the user's own updates):
 * - the first update of a block to reach a platform reads back what the platform showed and stores it with
 *   the block (before we overwrite it), so the block's end can put exactly that back;
 * - a restore reads the platform first: if it shows something else than what the block set (the user changed
 *   it on the platform), theirs stays. An empty status counts as ours having expired, so the restore goes ahead.
 */
@Injectable()
export class SpanRestoreGuard {
  /** The captures of a moment go as one statement, like the claims (a burst of meetings starts them all at once). */
  private readonly captures: StatementBatcher<SpanCapture, void>;

  constructor(scope: UserScope, restores: SpanRestoresRepository) {
    this.captures = new StatementBatcher({
      one: (c) => scope.selfScoped((db) => restores.capture(db, c.userId, c.platform, c.previous)),
      many: async (captures) => {
        await scope.selfScoped((db) => restores.captureMany(db, captures));
        return captures.map(() => undefined);
      },
      ...BATCH_LIMITS,
    });
  }

  /** Runs in the call step, which holds the platform's lease but no connection; the capture commits before the push. */
  async beforePush(userId: string, guard: SpanGuardFacts | null, platform: string, adapter: PlatformAdapter, token: string): Promise<SpanGuardDecision> {
    if (!guard) return 'push';
    if (guard.capture) {
      const reading = await adapter.readStatus(token);
      await this.captures.run({ userId, platform, previous: reading });
      return 'push';
    }
    if (!guard.ours) return 'push';
    const reading = await adapter.readStatus(token);
    return showsOursOrNothing(reading, guard.ours, platform) ? 'push' : 'keep-user-status';
  }
}

function showsOursOrNothing(reading: PlatformStatusReading, ours: NonNullable<SpanGuardFacts['ours']>, platform: string): boolean {
  if (!reading.emoji && !reading.message) return true;
  const override = ours.platformOverrides?.[platform];
  const emoji = override?.emoji ?? ours.emoji;
  const message = override?.message ?? ours.message;
  return canonicalEmoji(reading.emoji ?? '') === canonicalEmoji(emoji ?? '') && (reading.message ?? '') === (message ?? '');
}
