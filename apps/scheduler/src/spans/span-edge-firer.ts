import { Injectable, Logger, Optional } from '@nestjs/common';
import { SpanRestoresRepository, SpanRow, SpansRepository, StatusUpdateEntity, StatusUpdatesRepository, UserScope, WebhookDeliveryTarget } from '@statusync/db';
import { PlatformId } from '@statusync/platforms';
import { FireSpanEdgeJob, SlackDndJob, SlackDndProducer, StatusSyncProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { blockEnd, coveringAtEnd, sameStatus } from './span-block';
import { SpanUpdates } from './span-updates';
import { CalendarWebhookEvents } from './calendar-webhook-events';

/** Start outcomes after which the span is part of the user's open block. */
const JOINED_BLOCK = new Set(['opened', 'switched', 'merged']);

export interface FireResult {
  outcome: string;
  updates: StatusUpdateEntity[];
  /** Slack DND to ask the sync worker for (focus time with `focusDnd`), after the commit. */
  dnd?: SlackDndJob['action'];
}

/**
 * Fires one span edge, once: the claim (a row keyed by span and edge in Postgres), the decision and the status
 * updates commit together, so a second replica, a retried job or a job re-added after a Redis flush finds the
 * edge claimed and does nothing. A user's edges are serialised (advisory lock), so the block they form is
 * decided from a consistent state whatever order simultaneous edges arrive in.
 */
@Injectable()
export class SpanEdgeFirer {
  private readonly logger = new Logger(SpanEdgeFirer.name);

  constructor(
    private readonly scope: UserScope,
    private readonly spans: SpansRepository,
    private readonly restores: SpanRestoresRepository,
    private readonly statusUpdates: StatusUpdatesRepository,
    private readonly spanUpdates: SpanUpdates,
    private readonly producer: StatusSyncProducer,
    private readonly dndProducer: SlackDndProducer,
    /** Calendar spans' webhook events (absent where a test builds the firer by hand). */
    @Optional() private readonly calendarEvents?: CalendarWebhookEvents,
  ) {}

  async fire(job: FireSpanEdgeJob, now = new Date()): Promise<FireResult> {
    let webhookDeliveries: WebhookDeliveryTarget[] = [];
    const result = await this.scope.run(job.userId, async (db) => {
      await db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`span-edges:${job.userId}`]);
      const span = await this.spans.findById(db, job.spanId);
      if (!span) return { outcome: 'gone', updates: [] };
      const at = job.edge === 'start' ? span.startsAt : span.endsAt;
      // The span moved since this job was made: the job for its new time fires it.
      if (!at || at.getTime() !== job.at) return { outcome: 'moved', updates: [] };
      if (!(await this.spans.claimEdge(db, span, job.edge))) return { outcome: 'duplicate', updates: [] };
      const decided = job.edge === 'start' ? await this.start(db, span, now) : await this.end(db, span, now);
      await this.spans.settleEdge(db, span.id, job.edge, decided.outcome, decided.updates.map((u) => u.id));
      if (this.calendarEvents) webhookDeliveries = await this.calendarEvents.record(db, span, job.edge, decided.outcome);
      const dnd = span.slackDnd ? await this.dndAction(db, span, job.edge, decided.outcome) : null;
      return dnd ? { ...decided, dnd } : decided;
    });
    this.logger.log({ spanId: job.spanId, userId: job.userId, edge: job.edge, outcome: result.outcome, dnd: result.dnd }, 'span edge fired');
    await this.enqueue(result.updates);
    if (result.dnd) await this.enqueueDnd({ userId: job.userId, spanId: job.spanId, action: result.dnd });
    if (this.calendarEvents) await this.calendarEvents.dispatch(webhookDeliveries);
    return result;
  }

  /**
   * A DND span snoozes Slack when it joins the block, and ends the snooze at its end unless another DND span is
   * still running then (its own end ends it). One that never joined (cancelled, missed, no platform) does neither.
   */
  private async dndAction(db: EntityManager, span: SpanRow, edge: 'start' | 'end', outcome: string): Promise<SlackDndJob['action'] | null> {
    if (edge === 'start') return JOINED_BLOCK.has(outcome) && span.endsAt ? 'snooze' : null;
    if (outcome === 'not-started') return null;
    const live = await this.spans.liveForUser(db, span.userId, span.endsAt!);
    return coveringAtEnd(live, span).some((other) => other.slackDnd) ? null : 'end';
  }

  private async start(db: EntityManager, span: SpanRow, now: Date): Promise<FireResult> {
    if (span.cancelledAt) return { outcome: 'cancelled', updates: [] };
    if (span.endsAt && span.endsAt <= now) return { outcome: 'missed', updates: [] };
    const open = await this.restores.openRows(db, span.userId);
    if (!span.endsAt) {
      // No end, nothing to restore: a plain scheduled change, which also ends any open block (the user's new status).
      for (const row of open) await this.restores.end(db, span.userId, row.platform, null, 'replaced');
      const platforms = await this.spanUpdates.targets(db, span);
      if (platforms.length === 0) return { outcome: 'no-platform', updates: [] };
      return { outcome: 'set', updates: [await this.spanUpdates.set(db, span, platforms, null, 'start')] };
    }
    const live = await this.spans.liveForUser(db, span.userId, now);
    const expiresAt = blockEnd(live, span);
    if (open.length === 0) {
      const platforms = await this.spanUpdates.targets(db, span);
      if (platforms.length === 0) return { outcome: 'no-platform', updates: [] };
      const update = await this.spanUpdates.set(db, span, platforms, expiresAt, 'start');
      await this.restores.openBlock(db, span.userId, platforms, span.id, update.id, update.seq);
      return { outcome: 'opened', updates: [update] };
    }
    return this.switchTo(db, span, open, expiresAt, 'start');
  }

  private async end(db: EntityManager, span: SpanRow, now: Date): Promise<FireResult> {
    // A span that never joined a block (cancelled, missed, no platform) must not end someone else's block.
    const start = (await this.spans.edgesOf(db, span.id)).find((e) => e.edge === 'start');
    if (!start || !JOINED_BLOCK.has(start.outcome)) return { outcome: 'not-started', updates: [] };
    const open = await this.restores.openRows(db, span.userId);
    if (open.length === 0) return { outcome: 'no-block', updates: [] };
    const live = await this.spans.liveForUser(db, span.userId, span.endsAt!);
    const covering = coveringAtEnd(live, span);
    if (covering.length > 0) {
      const next = covering[covering.length - 1];
      // A span starting right now switches on its own start edge; one already running shows again if ours hid it.
      if (next.startsAt < span.endsAt! && open[0].shownSpanId === span.id) return this.switchTo(db, next, open, blockEnd(live, next), 'end');
      return { outcome: 'merged', updates: [] };
    }
    const changedByUser = await this.restores.changedByUserSince(db, span.userId, open[0].openedSeq);
    const updates: StatusUpdateEntity[] = [];
    for (const row of open) {
      if (changedByUser.has(row.platform)) await this.restores.end(db, span.userId, row.platform, null, 'kept-user-status');
      else if (!row.capturedAt) await this.restores.end(db, span.userId, row.platform, null, 'never-applied');
      else {
        const update = await this.spanUpdates.restore(db, span, row, now);
        await this.restores.end(db, span.userId, row.platform, update.id, 'restoring');
        updates.push(update);
      }
    }
    return { outcome: updates.length > 0 ? 'restored' : 'nothing-restored', updates };
  }

  /** Within an open block: show `span` instead, unless it already shows the same until at least `expiresAt`. */
  private async switchTo(db: EntityManager, span: SpanRow, open: Awaited<ReturnType<SpanRestoresRepository['openRows']>>, expiresAt: Date, edge: string): Promise<FireResult> {
    const changedByUser = await this.restores.changedByUserSince(db, span.userId, open[0].openedSeq);
    const platforms = open.map((row) => row.platform).filter((platform) => !changedByUser.has(platform));
    const shown = await this.statusUpdates.findById(db, open[0].shownUpdateId);
    const unchanged = shown && sameStatus(shown, span.status) && shown.expiresAt !== null && shown.expiresAt >= expiresAt;
    if (platforms.length === 0 || unchanged) {
      await this.restores.switchTo(db, span.userId, platforms, span.id, null);
      return { outcome: 'merged', updates: [] };
    }
    const update = await this.spanUpdates.set(db, span, platforms, expiresAt, edge);
    await this.restores.switchTo(db, span.userId, platforms, span.id, update.id);
    return { outcome: 'switched', updates: [update] };
  }

  /**
   * After the commit. Unlike a status update a DND request has no outbox: if Redis is down now it is lost, which
   * costs little, since a snooze lasts only the span's remaining minutes and ends by itself.
   */
  private async enqueueDnd(job: SlackDndJob): Promise<void> {
    await this.dndProducer.enqueue([job]).catch((error: unknown) => this.logger.warn({ err: error, spanId: job.spanId }, 'DND job not enqueued'));
  }

  /** After the commit; if Redis is down the outbox sweep enqueues them later. */
  private async enqueue(updates: StatusUpdateEntity[]): Promise<void> {
    const jobs = updates.flatMap((update) =>
      update.platforms.map((platform) => ({ updateId: update.id, platform: platform as PlatformId, userId: update.userId, requestId: update.requestId })),
    );
    if (jobs.length === 0) return;
    await this.producer.enqueue(jobs).catch((error: unknown) => this.logger.warn({ err: error }, 'enqueue failed; the outbox sweep will enqueue it'));
  }
}
