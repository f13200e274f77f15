import { Injectable, Logger } from '@nestjs/common';
import { DeliveriesRepository, FinishedOnClaim, LiveAudience, SyncLeasesRepository, UserScope } from '@statusync/db';
import { LiveNotifier, SyncStatusJob } from '@statusync/queue';
import { Job, UnrecoverableError } from 'bullmq';
import { deliveryEvent } from './delivery-event';
import { countSyncCrash, countSyncResult } from './sync-metrics';
import { parseSyncStatusJob } from './sync-status-job';
import { AttemptResult, Postponed } from './sync/attempt-result';
import { CallStep, Leased } from './sync/call.step';
import { ClaimStep } from './sync/claim.step';
import { SettleStep } from './sync/settle.step';
import { BeforeCallHooks } from './sync/before-call.hooks';
import { WriteBudget } from './sync/write-budget';

export type { AttemptResult } from './sync/attempt-result';
export { statusOf } from './sync/status-of';

/** What an attempt learnt from its lease, for the metrics and the live event after it. */
interface Seen {
  requestedAt?: Date;
  audience?: LiveAudience | null;
}

/** A job that tries again at once after losing a lease waits at least this (and a little jitter). */
const LEASE_LOST_RETRY_MS = 250;
/** A job that found the platform leased looks again after at most this long. */
const BUSY_RECHECK_MS = 1_000;

/**
 * Pushes one status update to one platform in three steps (docs/decisions.md "Worker leases"): claim the user's
 * platform (a lease with a fencing token, one short statement), call the platform holding no connection, settle
 * guarded by the token. Idempotent: a delivery already final is skipped, and one a newer pending update overtakes
 * finishes as superseded on claim, without a call.
 */
@Injectable()
export class StatusSyncProcessor {
  private readonly logger = new Logger(StatusSyncProcessor.name);

  constructor(
    private readonly scope: UserScope,
    private readonly deliveries: DeliveriesRepository,
    private readonly leases: SyncLeasesRepository,
    private readonly claim: ClaimStep,
    private readonly call: CallStep,
    private readonly settle: SettleStep,
    private readonly budget: WriteBudget,
    private readonly hooks: BeforeCallHooks,
    private readonly live: LiveNotifier,
  ) {}

  /** Runs one attempt; a postponed attempt comes back as such, for the host to delay the job without counting it. */
  async process(job: Job<SyncStatusJob>): Promise<string | Postponed> {
    const payload = parseSyncStatusJob(job.data);
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const context = { requestId: payload.requestId, updateId: payload.updateId, platform: payload.platform, attempt: job.attemptsMade + 1 };
    const seen: Seen = {};
    const result = await this.attempt(payload, isLastAttempt, seen).catch((error: unknown) => {
      countSyncCrash(payload.platform);
      throw error;
    });
    if (result.kind === 'postpone') {
      this.logger.debug({ ...context, reason: result.reason, delayMs: result.delayMs }, 'status sync postponed');
      return result;
    }
    countSyncResult(payload.platform, result, seen.requestedAt);
    const event = deliveryEvent(payload, result);
    if (event) await this.live.notify(payload.userId, event, seen.audience);
    switch (result.kind) {
      case 'done':
        this.logger.log({ ...context, outcome: result.outcome }, 'status sync finished');
        return result.outcome;
      case 'retry':
        this.logger.warn({ ...context, code: result.error.code, isLastAttempt }, 'status sync attempt failed');
        // Rethrown so BullMQ retries; the backoff reads `retryAfterMs` from it.
        throw result.error;
      case 'failed':
        this.logger.warn({ ...context, code: result.code }, 'status sync failed for good');
        throw new UnrecoverableError(`${result.code}: ${result.message}`);
    }
  }

  /** Fills `seen` from a lease: when the update was requested (request→applied latency) and its live audience. */
  private async attempt(job: SyncStatusJob, isLastAttempt: boolean, seen: Seen): Promise<AttemptResult | Postponed> {
    const startedAt = Date.now();
    const claim = await this.claim.run(job);
    switch (claim.kind) {
      case 'skipped':
        // Superseded by another job's claim (a burst became one call): say so, its live event went out then.
        return claim.state === 'superseded' ? { kind: 'done', outcome: 'superseded', announced: true } : { kind: 'done', outcome: 'skipped' };
      case 'busy':
        // Looked at again before the lease ends: most holders settle long before (the lease covers a timeout twice).
        return postpone('lease_held', Math.min(claim.retryInMs, BUSY_RECHECK_MS));
      case 'not_configured':
        return this.notConfigured(job, claim.attempt, startedAt);
      case 'finished':
        return this.finishedOnClaim(job, claim.finished);
    }
    seen.requestedAt = claim.update.createdAt;
    seen.audience = claim.audience;
    await this.announce(job, claim.finished, claim.audience);
    if (claim.config.state === 'reauth_required') {
      const message = `${job.platform} needs re-authorisation: ${claim.config.reauthReason ?? 'token rejected'}`;
      const answer = { kind: 'error', code: 'reauth_required', message, permanent: true, error: null, reauth: null } as const;
      return (await this.settle.run(job, claim, answer, isLastAttempt, startedAt)) ?? postpone('lease_lost', LEASE_LOST_RETRY_MS);
    }
    await this.hooks.run(job, claim);
    const wait = await this.budget.take(job.userId, job.platform);
    if (wait > 0) {
      await this.release(job, claim);
      return postpone('write_budget', wait);
    }
    const answer = await this.call.run(job, claim);
    if (answer.kind === 'lease_lost') return postpone('lease_lost', LEASE_LOST_RETRY_MS);
    return (await this.settle.run(job, claim, answer, isLastAttempt, startedAt)) ?? postpone('lease_lost', LEASE_LOST_RETRY_MS);
  }

  /** The job's own delivery was finished by its claim; the others it finished get their live events too. */
  private async finishedOnClaim(job: SyncStatusJob, finished: FinishedOnClaim[]): Promise<AttemptResult> {
    await this.announce(job, finished);
    const own = finished.find((entry) => entry.updateId === job.updateId);
    return { kind: 'done', outcome: own?.state ?? 'skipped' };
  }

  /** Live events for deliveries other than the job's own that the claim finished (the job's own gets its result's). */
  private async announce(job: SyncStatusJob, finished: FinishedOnClaim[], audience?: LiveAudience | null): Promise<void> {
    for (const entry of finished) {
      if (entry.updateId === job.updateId) continue;
      await this.live.notify(job.userId, { type: 'delivery', updateId: entry.updateId, platform: job.platform, state: entry.state, errorCode: null }, audience);
    }
  }

  private async notConfigured(job: SyncStatusJob, attempt: number, startedAt: number): Promise<AttemptResult> {
    const [code, message] = ['platform_not_configured', `${job.platform} is no longer configured for this user`];
    await this.scope.run(job.userId, (db) =>
      this.deliveries.recordAttempt(db, { ...job, attempt, outcome: 'failed', errorCode: code, errorMessage: message, durationMs: Date.now() - startedAt }),
    );
    return { kind: 'failed', code, message };
  }

  private release(job: SyncStatusJob, lease: Leased): Promise<void> {
    return this.scope.run(job.userId, (db) => this.leases.release(db, job.userId, job.platform, lease.token));
  }
}

function postpone(reason: Postponed['reason'], delayMs: number): Postponed {
  // Jitter, so the jobs that waited for the same lease or budget do not all come back in the same millisecond.
  return { kind: 'postpone', reason, delayMs: Math.round(delayMs + 20 + Math.random() * 100) };
}
