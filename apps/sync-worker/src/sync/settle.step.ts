import { Injectable } from '@nestjs/common';
import { AuditRepository, AvailabilityRepository, PlatformConfigsRepository, SyncLeasesRepository, SyncOutcome, TeamsRepository, UserScope, WebhookDeliveryTarget } from '@statusync/db';
import { PlatformRateLimitError, PlatformStatusReading } from '@statusync/platforms';
import { SyncStatusJob, WebhookEmitter } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { AttemptResult } from './attempt-result';
import { CallOutcome, Leased } from './call.step';
import { syncWebhookEvents } from '../webhooks/sync-webhook-events';

type Answer = Exclude<CallOutcome, { kind: 'lease_lost' }>;

/** What an answer means for the delivery: the policy of retries (docs/decisions.md §4) in one place. */
export function decide(answer: Answer, isLastAttempt: boolean): { outcome: SyncOutcome; result: AttemptResult; keepLease: boolean } {
  if (answer.kind === 'applied') return { outcome: 'succeeded', result: { kind: 'done', outcome: 'succeeded' }, keepLease: false };
  if (answer.kind === 'kept') return { outcome: 'superseded', result: { kind: 'done', outcome: 'superseded' }, keepLease: false };
  // A call we gave up on may still be applied by the platform: the lease runs to its end (one more timeout) so no
  // newer status reaches the platform before it and is then overwritten by this older one.
  const keepLease = answer.code === 'timeout';
  if (answer.permanent || isLastAttempt || !answer.error) {
    return { outcome: 'failed', result: { kind: 'failed', code: answer.code, message: answer.message }, keepLease };
  }
  return { outcome: 'retrying', result: { kind: 'retry', error: answer.error }, keepLease };
}

/**
 * Step 3, settle: one transaction whose first statement is guarded by the fencing token: the applied update, the
 * delivery's state, the attempt's sync log and the lease's end; then the platform's receipt, or the re-auth flag and
 * its audit event, and the webhook events a final outcome causes (recorded in the same transaction, so none is lost
 * or invented; enqueued after the commit). Returns null when the lease was lost (someone claimed after it ran out): nothing is written.
 */
@Injectable()
export class SettleStep {
  constructor(
    private readonly scope: UserScope,
    private readonly leases: SyncLeasesRepository,
    private readonly readings: AvailabilityRepository,
    private readonly configs: PlatformConfigsRepository,
    private readonly audit: AuditRepository,
    private readonly teams: TeamsRepository,
    private readonly webhooks: WebhookEmitter,
  ) {}

  async run(job: SyncStatusJob, lease: Leased, answer: Answer, isLastAttempt: boolean, startedAt: number): Promise<AttemptResult | null> {
    const { outcome, result, keepLease } = decide(answer, isLastAttempt);
    const error = answer.kind === 'error' ? answer : null;
    let deliveries: WebhookDeliveryTarget[] = [];
    const settledResult = await this.scope.run(job.userId, async (db) => {
      const settled = await this.leases.settle(db, {
        userId: job.userId,
        platform: job.platform,
        updateId: job.updateId,
        seq: lease.update.seq,
        token: lease.token,
        outcome,
        attempt: lease.attempt,
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        retryAfterMs: error?.error instanceof PlatformRateLimitError ? error.error.retryAfterMs : null,
        durationMs: Date.now() - startedAt,
        requestId: job.requestId,
        keepLease,
      });
      if (!settled) return null;
      if (answer.kind === 'applied') await this.receipt(db, job, answer.receipt);
      if (error?.reauth) {
        await this.configs.markReauthRequired(db, lease.config.id, error.reauth.reason);
        await this.audit.record(db, { userId: job.userId, event: error.reauth.event, details: { platform: job.platform, reason: error.reauth.reason }, requestId: job.requestId });
      }
      if (outcome === 'succeeded' || outcome === 'failed') {
        const audience = await this.teams.membershipsOf(db, job.userId);
        const events = syncWebhookEvents({ job, update: lease.update, outcome, attempt: lease.attempt, errorCode: error?.code ?? null, audience });
        deliveries = await this.webhooks.record(db, events);
      }
      return result;
    });
    await this.webhooks.dispatch(deliveries);
    return settledResult;
  }

  private receipt(db: EntityManager, job: SyncStatusJob, receipt: PlatformStatusReading) {
    return this.readings.recordReading(db, job.userId, job.platform, receipt, 'receipt');
  }
}
