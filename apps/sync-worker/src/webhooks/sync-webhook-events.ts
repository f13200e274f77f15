import { StatusUpdateEntity, SyncOutcome } from '@statusync/db';
import { SyncStatusJob, webhookEvent, WebhookEvent } from '@statusync/queue';

export interface SettledAttempt {
  job: SyncStatusJob;
  update: StatusUpdateEntity;
  outcome: SyncOutcome;
  attempt: number;
  errorCode: string | null;
  /** The user's subject and teams (null when the user row is gone). */
  audience: { subject: string; teamIds: string[] } | null;
}

/**
 * The webhook events one settled attempt causes (docs/decisions.md §32). Only final outcomes count: a retry is not
 * news, and a superseded delivery never showed anywhere. The first final outcome of an update on any platform is
 * also its `status.changed` (and, for a team member, `team.availability_changed`); their keys name the update, so
 * the second platform's settle records nothing new.
 */
export function syncWebhookEvents(settled: SettledAttempt): WebhookEvent[] {
  const { job, update, outcome, audience } = settled;
  if (outcome !== 'succeeded' && outcome !== 'failed') return [];
  const subject = audience?.subject ?? null;
  const sync =
    outcome === 'succeeded'
      ? webhookEvent('sync.succeeded', `sync.succeeded.${job.updateId}.${job.platform}`, { updateId: job.updateId, subject, platform: job.platform, attempt: settled.attempt })
      : webhookEvent('sync.failed', `sync.failed.${job.updateId}.${job.platform}`, {
          updateId: job.updateId,
          subject,
          platform: job.platform,
          attempt: settled.attempt,
          errorCode: settled.errorCode,
        });
  const status = webhookEvent('status.changed', `status.changed.${job.updateId}`, {
    updateId: job.updateId,
    subject,
    kind: update.kind,
    emoji: update.emoji,
    message: update.message,
    limitedAvailability: update.limitedAvailability,
    expiresAt: update.expiresAt ? update.expiresAt.toISOString() : null,
    source: update.source,
    platforms: update.platforms,
    requestedAt: update.createdAt.toISOString(),
  });
  const events = [status, sync];
  if (audience && audience.teamIds.length > 0) {
    events.push(webhookEvent('team.availability_changed', `team.availability_changed.${job.updateId}`, { subject, teamIds: audience.teamIds, updateId: job.updateId }));
  }
  return events;
}
