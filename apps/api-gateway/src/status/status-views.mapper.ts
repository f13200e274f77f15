import { PlatformConfigEntity, StatusDeliveryEntity, StatusUpdateEntity, StatusUpdateWithDeliveries } from '@statusync/db';
import { AcceptedUpdateView, DeliveryView, PlatformCurrentView, StatusUpdateView } from './status.views';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const statusUrlOf = (id: string) => `/api/v1/status/updates/${id}`;

/** The 202 answer. Built only from stored fields, so an Idempotency-Key replay returns the same answer. */
export function acceptedView(update: StatusUpdateEntity): AcceptedUpdateView {
  return {
    id: update.id,
    requestedAt: update.createdAt.toISOString(),
    platforms: Object.fromEntries(update.platforms.map((platform) => [platform, { state: 'pending' as const }])),
    statusUrl: statusUrlOf(update.id),
  };
}

function deliveryView(delivery: StatusDeliveryEntity): DeliveryView {
  return {
    state: delivery.state,
    attempts: delivery.attempts,
    errorCode: delivery.errorCode,
    errorMessage: delivery.errorMessage,
    completedAt: iso(delivery.completedAt),
  };
}

/** Overall state: pending until every platform is final; superseded counts as done. */
function overallState(deliveries: StatusDeliveryEntity[]): string {
  if (deliveries.some((d) => d.state === 'pending')) return 'pending';
  const failed = deliveries.filter((d) => d.state === 'failed').length;
  if (failed === 0) return 'succeeded';
  return failed === deliveries.length ? 'failed' : 'partially_failed';
}

export function statusUpdateView({ update, deliveries }: StatusUpdateWithDeliveries): StatusUpdateView {
  return {
    id: update.id,
    kind: update.kind,
    preset: update.preset,
    emoji: update.emoji,
    message: update.message,
    limitedAvailability: update.limitedAvailability,
    expiresAt: iso(update.expiresAt),
    requestedAt: update.createdAt.toISOString(),
    state: overallState(deliveries),
    platforms: Object.fromEntries(deliveries.map((d) => [d.platform, deliveryView(d)])),
  };
}

export function platformCurrentView(config: PlatformConfigEntity, applied: StatusUpdateEntity | undefined): PlatformCurrentView {
  return {
    accountName: config.accountName,
    connection: config.state,
    applied:
      applied && config.appliedAt
        ? {
            updateId: applied.id,
            kind: applied.kind,
            emoji: applied.emoji,
            message: applied.message,
            limitedAvailability: applied.limitedAvailability,
            expiresAt: iso(applied.expiresAt),
            appliedAt: config.appliedAt.toISOString(),
          }
        : null,
  };
}
