import { StatusUpdateEntity } from '@statusync/db';
import { StatusToApply } from '@statusync/platforms';

/**
 * The status to push to `platform`, or null to clear (a clear, or a status that expired before it could be
 * applied). The platform's own overrides (a workspace custom emoji on Slack, say) replace emoji and message.
 */
export function statusOf(update: StatusUpdateEntity, platform: string, now = new Date()): StatusToApply | null {
  if (update.kind === 'clear' || (update.expiresAt && update.expiresAt <= now)) return null;
  const override = update.platformOverrides?.[platform];
  return {
    emoji: override?.emoji ?? update.emoji,
    message: override?.message ?? update.message,
    limitedAvailability: update.limitedAvailability,
    expiresAt: update.expiresAt,
  };
}
