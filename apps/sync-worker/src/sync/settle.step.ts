import { Injectable } from '@nestjs/common';
import { AuditRepository, PlatformConfigsRepository, SettleResult, Settlement, StatementBatcher, SyncLeasesRepository, SyncOutcome, UserScope } from '@statusync/db';
import { PlatformRateLimitError } from '@statusync/platforms';
import { SyncStatusJob, WebhookEmitter } from '@statusync/queue';
import { AttemptResult } from './attempt-result';
import { BATCH_LIMITS } from './batch-limits';
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
 * Step 3, settle: one statement guarded by the fencing token: the applied update and the platform's receipt, the
 * delivery's state, the attempt's sync log, the lease's end, and the webhook events a final outcome causes (recorded
 * in the same statement, so none is lost or invented; enqueued after it). A refused token adds the re-auth flag and
 * its audit event in the same transaction. Returns null when the lease was lost (someone claimed after it ran out):
 * nothing is written.
 */
@Injectable()
export class SettleStep {
  private readonly settles: StatementBatcher<Settlement, SettleResult>;

  constructor(
    private readonly scope: UserScope,
    private readonly leases: SyncLeasesRepository,
    private readonly configs: PlatformConfigsRepository,
    private readonly audit: AuditRepository,
    private readonly webhooks: WebhookEmitter,
  ) {
    this.settles = new StatementBatcher({
      one: (s) => scope.selfScoped((db) => leases.settle(db, s)),
      many: (settlements) => scope.selfScoped((db) => leases.settleMany(db, settlements)),
      ...BATCH_LIMITS,
    });
  }

  async run(job: SyncStatusJob, lease: Leased, answer: Answer, isLastAttempt: boolean, startedAt: number): Promise<AttemptResult | null> {
    const { outcome, result, keepLease } = decide(answer, isLastAttempt);
    const error = answer.kind === 'error' ? answer : null;
    const settlement: Settlement = {
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
      receipt: answer.kind === 'applied' ? answer.receipt : null,
      // Built only for a user someone listens to (the claim looked): most users have no endpoint.
      webhookEvents: lease.webhooks
        ? syncWebhookEvents({ job, update: lease.update, outcome, attempt: lease.attempt, errorCode: error?.code ?? null, audience: lease.audience })
        : [],
    };
    // The common case is one statement, shared with other jobs' settles; a refused token also flags the row and audits.
    const reauth = error?.reauth;
    const settled = reauth
      ? await this.scope.run(job.userId, async (db) => {
          const done = await this.leases.settle(db, settlement);
          if (!done.settled) return done;
          await this.configs.markReauthRequired(db, lease.config.id, reauth.reason);
          await this.audit.record(db, { userId: job.userId, event: reauth.event, details: { platform: job.platform, reason: reauth.reason }, requestId: job.requestId });
          return done;
        })
      : await this.settles.run(settlement);
    if (!settled.settled) return null;
    await this.webhooks.dispatch(settled.webhookDeliveries);
    return result;
  }
}
