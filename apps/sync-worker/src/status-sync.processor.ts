import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import {
  AuditEvent,
  AuditRepository,
  AvailabilityRepository,
  DeliveriesRepository,
  PlatformConfigsRepository,
  StatusDeliveryEntity,
  StatusUpdateEntity,
  StatusUpdatesRepository,
  SyncAttempt,
  UserScope,
} from '@statusync/db';
import { PlatformAuthError, PlatformError, PlatformRateLimitError, PlatformRegistry, PlatformStatusReading, StatusToApply } from '@statusync/platforms';
import { LiveNotifier, SyncStatusJob } from '@statusync/queue';
import { Job, UnrecoverableError } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntityManager } from 'typeorm';
import { isTokenExpired, PlatformTokens, TokenUndecryptableError } from './platform-tokens';
import { parseSyncStatusJob } from './sync-status-job';
import { deliveryEvent } from './delivery-event';
import { countSyncCrash, countSyncResult } from './sync-metrics';
import { SpanRestoreGuard } from './span-restore-guard';

/** What one attempt decided; the job's fate (done, retry, give up) follows from it after the commit. */
export type AttemptResult =
  | { kind: 'done'; outcome: 'succeeded' | 'superseded' | 'skipped' }
  | { kind: 'retry'; error: PlatformError }
  | { kind: 'failed'; code: string; message: string };

/**
 * Pushes one status update to one platform. Idempotent: a delivery that is already final is skipped, and the
 * platform-config row lock plus `applied_seq` make last-write-wins hold across workers and late retries.
 * Every attempt is recorded in `sync_logs` in the same transaction as the delivery's new state.
 */
@Injectable()
export class StatusSyncProcessor {
  private readonly logger = new Logger(StatusSyncProcessor.name);

  constructor(
    private readonly scope: UserScope,
    private readonly updates: StatusUpdatesRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly configs: PlatformConfigsRepository,
    private readonly audit: AuditRepository,
    private readonly platforms: PlatformRegistry,
    private readonly tokens: PlatformTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readings: AvailabilityRepository,
    private readonly live: LiveNotifier,
    private readonly spanGuard: SpanRestoreGuard,
  ) {}

  async process(job: Job<SyncStatusJob>): Promise<string> {
    const payload = parseSyncStatusJob(job.data);
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    // The job names its user: row-level security then keeps everything below to that user's rows.
    let requestedAt: Date | undefined;
    const result = await this.scope
      .run(payload.userId, async (db) => {
        const update = await this.updates.findById(db, payload.updateId);
        requestedAt = update?.createdAt;
        return update ? this.attempt(db, payload, update, isLastAttempt) : ({ kind: 'done', outcome: 'skipped' } as const);
      })
      .catch((error: unknown) => {
        countSyncCrash(payload.platform);
        throw error;
      });
    countSyncResult(payload.platform, result, requestedAt);
    const context = { requestId: payload.requestId, updateId: payload.updateId, platform: payload.platform, attempt: job.attemptsMade + 1 };
    const event = deliveryEvent(payload, result);
    if (event) await this.live.notify(payload.userId, event);
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

  private async attempt(
    manager: EntityManager,
    job: SyncStatusJob,
    update: StatusUpdateEntity,
    isLastAttempt: boolean,
  ): Promise<AttemptResult> {
    const config = await this.configs.lockWithSecret(manager, job.userId, job.platform);
    // Checked under the lock: another worker may have finished this delivery while we waited.
    const delivery = await manager.findOneBy(StatusDeliveryEntity, { updateId: job.updateId, platform: job.platform });
    if (!delivery || delivery.state !== 'pending') return { kind: 'done', outcome: 'skipped' };
    // Numbered from the record, not the job: a job revived by the outbox sweep starts its count again.
    const attempt = delivery.attempts + 1;

    const started = Date.now();
    const record = (fields: Pick<SyncAttempt, 'outcome'> & Partial<SyncAttempt>) =>
      this.deliveries.recordAttempt(manager, {
        updateId: job.updateId,
        platform: job.platform,
        userId: job.userId,
        attempt,
        requestId: job.requestId,
        durationMs: Date.now() - started,
        ...fields,
      });
    const fail = async (code: string, message: string): Promise<AttemptResult> => {
      await record({ outcome: 'failed', errorCode: code, errorMessage: message });
      return { kind: 'failed', code, message };
    };

    if (!config) return fail('platform_not_configured', `${job.platform} is no longer configured for this user`);
    if (config.state === 'reauth_required') {
      return fail('reauth_required', `${job.platform} needs re-authorisation: ${config.reauthReason ?? 'token rejected'}`);
    }
    if (config.appliedSeq !== null && BigInt(config.appliedSeq) >= BigInt(update.seq)) {
      // Already applied (a retry after a crash) or a newer update is already on the platform: last write wins.
      const outcome = config.appliedUpdateId === update.id ? 'succeeded' : 'superseded';
      await record({ outcome });
      return { kind: 'done', outcome };
    }

    let token: string;
    try {
      token = this.tokens.accessToken(config);
    } catch (error) {
      if (!(error instanceof TokenUndecryptableError)) throw error;
      await this.requireReauth(manager, job, config.id, error.message);
      return fail('token_undecryptable', 'The stored token cannot be decrypted; connect the platform again');
    }
    const retry = async (error: PlatformError): Promise<AttemptResult> => {
      const retryAfterMs = error instanceof PlatformRateLimitError ? error.retryAfterMs : null;
      await record({ outcome: 'retrying', errorCode: error.code, errorMessage: error.message, retryAfterMs });
      return { kind: 'retry', error };
    };
    // Rotating tokens (Slack): refreshed under this row lock, so the single-use refresh token is spent once.
    const refresh = async (): Promise<string | AttemptResult> => {
      try {
        return await this.tokens.refresh(manager, config);
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        // Slack down or limiting us: the stored pair is untouched and still good, so no re-authorisation for that.
        if (!error.permanent) return isLastAttempt ? fail(error.code, `Token refresh failed: ${error.message}`) : retry(error);
        await this.requireReauth(manager, job, config.id, `token refresh failed: ${error.code}`, 'oauth.refresh_failed');
        return fail(error.code, `Token refresh failed: ${error.message}`);
      }
    };

    let refreshed = false;
    if (this.tokens.expiresSoon(config)) {
      const next = await refresh();
      if (typeof next !== 'string') return next;
      [token, refreshed] = [next, true];
    }
    let receipt: PlatformStatusReading | 'keep-user-status';
    for (;;) {
      try {
        receipt = await this.push(manager, job.platform, token, update);
        break;
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        // A rotated token can die before its stored expiry (clocks, the platform ending it early): refresh once, try again.
        if (!refreshed && isTokenExpired(error) && this.tokens.canRefresh(config)) {
          const next = await refresh();
          if (typeof next !== 'string') return next;
          [token, refreshed] = [next, true];
          continue;
        }
        if (error instanceof PlatformAuthError) await this.requireReauth(manager, job, config.id, `${error.code}: ${error.message}`);
        const result = error.permanent || isLastAttempt ? await fail(error.code, error.message) : await retry(error);
        // A call we gave up on may still be applied by the platform. Releasing the row lock now would let a newer
        // status reach the platform first and be overwritten by this older one (a user would see their status go
        // back), so keep the platform to ourselves for as long again before committing.
        if (error.code === 'timeout') await sleep(this.config.platforms.timeoutMs);
        return result;
      }
    }

    if (receipt === 'keep-user-status') {
      // A schedule's or calendar's restore, but the user changed the platform's status during the span: theirs stays.
      await record({ outcome: 'superseded' });
      return { kind: 'done', outcome: 'superseded' };
    }
    await this.configs.markApplied(manager, config.id, update.id, update.seq);
    await this.readings.recordReading(manager, job.userId, job.platform, receipt, 'receipt');
    await record({ outcome: 'succeeded' });
    return { kind: 'done', outcome: 'succeeded' };
  }

  /** Returns the platform's receipt: what it says it shows now (or that a span's restore must not overwrite it). */
  private async push(manager: EntityManager, platform: string, token: string, update: StatusUpdateEntity): Promise<PlatformStatusReading | 'keep-user-status'> {
    const adapter = this.platforms.get(platform);
    if ((await this.spanGuard.beforePush(manager, update, platform, adapter, token)) === 'keep-user-status') return 'keep-user-status';
    const status = statusOf(update, platform);
    return status ? adapter.setStatus(token, status) : adapter.clearStatus(token);
  }

  /** The platform refused the token for good: stop using it until the user connects again, and say so. */
  private async requireReauth(
    manager: EntityManager,
    job: SyncStatusJob,
    configId: string,
    reason: string,
    event: AuditEvent = 'platform.reauth_required',
  ): Promise<void> {
    await this.configs.markReauthRequired(manager, configId, reason);
    await this.audit.record(manager, {
      userId: job.userId,
      event,
      details: { platform: job.platform, reason },
      requestId: job.requestId,
    });
  }
}

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
