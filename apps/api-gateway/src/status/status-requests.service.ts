import { Injectable, Logger } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { AcceptUpdateRepository, StatusUpdateEntity, UserScope } from '@statusync/db';
import type { ChainableCommander } from 'ioredis';
import { PlatformId } from '@statusync/platforms';
import { LivePublisher, StatusSyncProducer, UserLiveEvent } from '@statusync/queue';
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
    private readonly accepts: AcceptUpdateRepository,
    private readonly producer: StatusSyncProducer,
    private readonly live: LivePublisher,
  ) {}

  async accept(request: StatusRequest, context: RequestContext): Promise<Accepted> {
    const fingerprint = context.idempotencyKey ? fingerprintOf(context.fingerprintSource) : null;
    // One statement, one round trip: scope, key check, platform check, record and live audience (docs/decisions.md 22).
    const outcome = await this.scope.selfScoped((db) =>
      this.accepts.accept(
        db,
        {
          userId: context.userId,
          kind: request.kind,
          preset: request.preset,
          emoji: request.emoji,
          message: request.message,
          limitedAvailability: request.limitedAvailability,
          expiresAt: request.expiresAt,
          requested: request.platforms ?? null,
          idempotencyKey: context.idempotencyKey,
          requestFingerprint: fingerprint,
          requestId: context.requestId,
          source: request.source,
          templateId: request.template?.id ?? null,
          templateName: request.template?.name ?? null,
          platformOverrides: request.platformOverrides ?? null,
        },
        { orgId: null, role: 'member' },
      ),
    );
    switch (outcome.outcome) {
      case 'replay':
        return this.replay(outcome.update, fingerprint);
      case 'in-progress':
        throw new ProblemException(409, 'idempotency-in-progress', 'Conflict', 'A request with this Idempotency-Key is in progress; retry shortly');
      case 'no-platform':
        throw new ProblemException(422, 'no-platform-configured', 'No platform configured', 'Connect a platform first: POST /api/v1/config/platforms', [
          { field: 'platforms', reason: 'no platform is configured for this user' },
        ]);
      case 'not-configured':
        throw notConfigured(outcome.missing);
    }
    await this.enqueue(outcome.update, context.requestId, outcome.audience);
    return { view: acceptedView(outcome.update), replayed: false };
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

  private async enqueue(update: StatusUpdateEntity, requestId: string | null, audience: LiveAudienceOf | null): Promise<void> {
    const jobs = (update.platforms as PlatformId[]).map((platform) => ({ updateId: update.id, platform, userId: update.userId, requestId }));
    // The live "accepted" event rides in the jobs' pipeline, before them: live clients see "pending" before any
    // platform's outcome, and it costs no round trip of its own.
    const event: UserLiveEvent = { type: 'accepted', updateId: update.id, state: 'pending', platforms: update.platforms };
    const live = audience ? (batch: ChainableCommander) => this.live.appendTo(batch, { userId: update.userId, ...audience }, event) : undefined;
    const enqueued = this.producer.enqueue(jobs, live).catch((error: unknown) => {
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

type LiveAudienceOf = { subject: string; teamIds: string[] };

function notConfigured(missing: string[]): ProblemException {
  return new ProblemException(
    422,
    'platform-not-configured',
    'Platform not configured',
    `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not configured for this user`,
    missing.map((platform) => ({ field: 'platforms', reason: `${platform} is not configured` })),
  );
}
