import { Injectable, Logger } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { IdempotencyKeyTakenError, PlatformConfigsRepository, StatusUpdateEntity, StatusUpdatesRepository, UserScope } from '@statusync/db';
import { EntityManager } from 'typeorm';
import { PlatformId } from '@statusync/platforms';
import { LiveNotifier, StatusSyncProducer } from '@statusync/queue';
import { fingerprintOf } from './fingerprint';
import { RequestContext, StatusRequest } from './status-request';
import { acceptedView } from './status-views.mapper';
import { AcceptedUpdateView } from './status.views';

/** How long the API waits for Redis before answering anyway; the outbox sweep enqueues what is missing. */
const ENQUEUE_WAIT_MS = 2_000;

export interface Accepted {
  view: AcceptedUpdateView;
  replayed: boolean;
}

/**
 * Accepting a status change: decide the platforms, honour Idempotency-Key, record the update with one
 * pending delivery per platform, then enqueue one job per platform. The record is the source of truth:
 * if Redis is slow or down, the scheduler's outbox sweep enqueues the jobs later, so nothing accepted is lost.
 */
@Injectable()
export class StatusRequestsService {
  private readonly logger = new Logger(StatusRequestsService.name);

  constructor(
    private readonly scope: UserScope,
    private readonly updates: StatusUpdatesRepository,
    private readonly configs: PlatformConfigsRepository,
    private readonly producer: StatusSyncProducer,
    private readonly live: LiveNotifier,
  ) {}

  async accept(request: StatusRequest, context: RequestContext): Promise<Accepted> {
    const fingerprint = context.idempotencyKey ? fingerprintOf(context.fingerprintSource) : null;
    let outcome: StatusUpdateEntity | { replayOf: StatusUpdateEntity };
    try {
      // One transaction: the key check, the platform check and the record see the same state.
      outcome = await this.scope.run(context.userId, async (db) => {
        const earlier = context.idempotencyKey ? await this.updates.findByIdempotencyKey(db, context.userId, context.idempotencyKey) : null;
        if (earlier) return { replayOf: earlier };
        const platforms = await this.targetPlatforms(db, context.userId, request.platforms);
        const recorded = await this.updates.create(db, {
          userId: context.userId,
          kind: request.kind,
          preset: request.preset,
          emoji: request.emoji,
          message: request.message,
          limitedAvailability: request.limitedAvailability,
          expiresAt: request.expiresAt,
          platforms,
          idempotencyKey: context.idempotencyKey,
          requestFingerprint: fingerprint,
          requestId: context.requestId,
          source: request.source,
          templateId: request.template?.id ?? null,
          templateName: request.template?.name ?? null,
          platformOverrides: request.platformOverrides ?? null,
        });
        return recorded.update;
      });
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTakenError)) throw error;
      // A concurrent request with the same key won the race; answer as its replay.
      const winner = await this.scope.run(context.userId, (db) => this.updates.findByIdempotencyKey(db, context.userId, context.idempotencyKey!));
      if (!winner) throw new ProblemException(409, 'idempotency-in-progress', 'Conflict', 'A request with this Idempotency-Key is in progress; retry shortly');
      outcome = { replayOf: winner };
    }
    if ('replayOf' in outcome) return this.replay(outcome.replayOf, fingerprint);
    // Before the jobs exist, so live clients see "pending" before any platform's outcome.
    await this.live.notify(outcome.userId, { type: 'accepted', updateId: outcome.id, state: 'pending', platforms: outcome.platforms });
    await this.enqueue(outcome, context.requestId);
    return { view: acceptedView(outcome), replayed: false };
  }

  private replay(earlier: StatusUpdateEntity, fingerprint: string | null): Accepted {
    if (earlier.requestFingerprint !== fingerprint) {
      throw new ProblemException(
        422,
        'idempotency-key-reused',
        'Idempotency-Key reused',
        'This Idempotency-Key was already used for a different request in the last 24 hours',
        [{ field: 'Idempotency-Key', reason: 'already used with a different request body' }],
      );
    }
    return { view: acceptedView(earlier), replayed: true };
  }

  /** The requested platforms, each of which must be configured; by default every configured one. */
  private async targetPlatforms(db: EntityManager, userId: string, requested: PlatformId[] | undefined): Promise<PlatformId[]> {
    const configured = new Set((await this.configs.listForUser(db, userId)).map((config) => config.platform));
    if (!requested) {
      if (configured.size === 0) {
        throw new ProblemException(422, 'no-platform-configured', 'No platform configured', 'Connect a platform first: POST /api/v1/config/platforms', [
          { field: 'platforms', reason: 'no platform is configured for this user' },
        ]);
      }
      return [...configured] as PlatformId[];
    }
    const missing = requested.filter((platform) => !configured.has(platform));
    if (missing.length > 0) {
      throw new ProblemException(
        422,
        'platform-not-configured',
        'Platform not configured',
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not configured for this user`,
        missing.map((platform) => ({ field: 'platforms', reason: `${platform} is not configured` })),
      );
    }
    return requested;
  }

  private async enqueue(update: StatusUpdateEntity, requestId: string | null): Promise<void> {
    const jobs = (update.platforms as PlatformId[]).map((platform) => ({ updateId: update.id, platform, userId: update.userId, requestId }));
    const enqueued = this.producer.enqueue(jobs).catch((error: unknown) => {
      this.logger.warn({ err: error, updateId: update.id, requestId }, 'enqueue failed; the outbox sweep will enqueue it');
    });
    // While Redis is known to be down, answer at once: the client queues the jobs until it reconnects, and the
    // outbox sweep covers them if it never does. Otherwise wait (briefly) so the 202 normally means "queued".
    if (!this.producer.isConnected()) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([enqueued, new Promise((resolve) => (timer = setTimeout(resolve, ENQUEUE_WAIT_MS)))]);
    clearTimeout(timer);
  }

}
