import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  AlongsideUpdate,
  RecordedUpdates,
  SpanEdgeContext,
  SpanRestore,
  SpanRestoresRepository,
  SpanRow,
  SpansRepository,
  StatusUpdateEntity,
  UserScope,
  WebhookDeliveryTarget,
} from '@statusync/db';
import { PlatformId } from '@statusync/platforms';
import { FireSpanEdgeJob, SlackDndJob, SlackDndProducer, StatusSyncProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { blockEnd, coveringAtEnd, sameStatus } from './span-block';
import { SpanUpdates } from './span-updates';
import { CalendarWebhookEvents } from './calendar-webhook-events';

/** Start outcomes after which the span is part of the user's open block. */
const JOINED_BLOCK = new Set(['opened', 'switched', 'merged']);

/** An edge fired inside a group's transaction, with what to hand on after the commit. */
interface Fired {
  job: FireSpanEdgeJob;
  result: FireResult;
  webhookDeliveries: WebhookDeliveryTarget[];
}

export interface FireResult {
  outcome: string;
  updates: StatusUpdateEntity[];
  /** Slack DND to ask the sync worker for (focus time with `focusDnd`), after the commit. */
  dnd?: SlackDndJob['action'];
}

/** A decision's writes; `settled`: the edge was settled by its last update's statement, with these deliveries. */
interface Decided extends FireResult {
  settled?: WebhookDeliveryTarget[];
}

/** The steps that settle the edge with `outcome`, for the statement recording its updates. */
type SettleSteps = (outcome: string) => AlongsideUpdate[];

/**
 * Fires one span edge, once: the claim (a row keyed by span and edge in Postgres), the decision and the status
 * updates commit together, so a second replica, a retried job or a job re-added after a Redis flush finds the
 * edge claimed and does nothing. A user's edges are serialised (advisory lock), so the block they form is
 * decided from a consistent state whatever order simultaneous edges arrive in. The lock, the claim and every read
 * the decision needs are the transaction's first statement (SpansRepository.beginEdge); then come only its writes,
 * and the one recording its updates also settles the edge (its outcome and webhook events, §48): an edge that opens,
 * switches or restores a block is two statements.
 */
@Injectable()
export class SpanEdgeFirer {
  private readonly logger = new Logger(SpanEdgeFirer.name);

  constructor(
    private readonly scope: UserScope,
    private readonly spans: SpansRepository,
    private readonly restores: SpanRestoresRepository,
    private readonly spanUpdates: SpanUpdates,
    private readonly producer: StatusSyncProducer,
    private readonly dndProducer: SlackDndProducer,
    /** Calendar spans' webhook events (absent where a test builds the firer by hand). */
    @Optional() private readonly calendarEvents?: CalendarWebhookEvents,
  ) {}

  /** Fires one edge in its own transaction; throws what the firing threw. */
  async fire(job: FireSpanEdgeJob, now = new Date()): Promise<FireResult> {
    const [result] = await this.fireGroup([job], now);
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Fires edges due together in ONE transaction (§41): one BEGIN/COMMIT and one WAL flush for the group, then one
   * enqueue of all their sync jobs. Edges run in order of user, so two groups (two replicas, or two slots of one)
   * take the users' edge locks in the same order and cannot deadlock; a user's edges keep their order. Each edge's
   * first statement scopes the transaction to its own user, so row-level security still binds every statement to
   * the user whose edge it is. If the group's transaction fails, every edge is fired again alone: one user's
   * failure costs the others a retry, never their firing. Answers, per job in the order given, its result or error.
   */
  async fireGroup(jobs: FireSpanEdgeJob[], now = new Date()): Promise<(FireResult | Error)[]> {
    const order = jobs.map((job, index) => ({ job, index })).sort((a, b) => (a.job.userId < b.job.userId ? -1 : a.job.userId > b.job.userId ? 1 : a.index - b.index));
    let fired: Fired[];
    try {
      fired = await this.scope.runSelfScoped(async (db) => {
        const done: Fired[] = [];
        for (const { job } of order) done.push(await this.fireIn(db, job, now));
        return done;
      });
    } catch (error) {
      if (jobs.length === 1) return [error as Error];
      this.logger.warn({ err: error, edges: jobs.length }, 'span edge group failed; firing its edges one by one');
      // One after the other, on the group's one connection's worth of the pool (the reconcile and sweep keep theirs).
      const alone: (FireResult | Error)[] = [];
      for (const job of jobs) alone.push(await this.fire(job, now).catch((failure: unknown) => failure as Error));
      return alone;
    }
    await this.afterCommit(fired);
    const results: FireResult[] = new Array(jobs.length);
    order.forEach(({ index }, position) => (results[index] = fired[position].result));
    return results;
  }

  /** One edge's statements inside the group's transaction: its first statement scopes the transaction to its user. */
  private async fireIn(db: EntityManager, job: FireSpanEdgeJob, now: Date): Promise<Fired> {
    // One statement: scope, the user's edge lock, the moved check, the claim and everything the decision reads.
    const context = await this.spans.beginEdge(db, { userId: job.userId, spanId: job.spanId, edge: job.edge, atMs: job.at }, now);
    if (context.outcome !== 'claimed') return { job, result: { outcome: context.outcome, updates: [] }, webhookDeliveries: [] };
    const span = context.span;
    // The edge's outcome and its webhook events (a calendar span's), recorded together.
    const events = (outcome: string) => this.calendarEvents?.eventsFor(span, job.edge, outcome, context.subject) ?? [];
    const settle: SettleSteps = (outcome) => this.spans.settleEdgeWith(span.id, job.edge, outcome, events(outcome));
    const { settled, ...decided } = job.edge === 'start' ? await this.start(db, context, now, settle) : await this.end(db, context, now, settle);
    // A decision that wrote no update settles the edge on its own.
    const webhookDeliveries = settled ?? (await this.spans.settleEdge(db, span.id, job.edge, decided.outcome, decided.updates.map((u) => u.id), events(decided.outcome)));
    const dnd = span.slackDnd ? this.dndAction(context, job.edge, decided.outcome) : null;
    return { job, result: dnd ? { ...decided, dnd } : decided, webhookDeliveries };
  }

  /** An edge settled by the statement that recorded its updates. */
  private settledBy(outcome: string, recorded: RecordedUpdates): Decided {
    return { outcome, updates: recorded.updates, settled: recorded.answered as WebhookDeliveryTarget[] };
  }

  /** After the commit: the group's sync jobs in one enqueue, its DND jobs in one, its webhook deliveries in one. */
  private async afterCommit(fired: Fired[]): Promise<void> {
    for (const { job, result } of fired) {
      this.logger.log({ spanId: job.spanId, userId: job.userId, edge: job.edge, outcome: result.outcome, dnd: result.dnd }, 'span edge fired');
    }
    await this.enqueue(fired.flatMap(({ result }) => result.updates));
    const dnd = fired.flatMap(({ job, result }) => (result.dnd ? [{ userId: job.userId, spanId: job.spanId, action: result.dnd }] : []));
    if (dnd.length > 0) await this.enqueueDnd(dnd);
    const webhooks = fired.flatMap(({ webhookDeliveries }) => webhookDeliveries);
    if (this.calendarEvents && webhooks.length > 0) await this.calendarEvents.dispatch(webhooks);
  }

  /**
   * A DND span snoozes Slack when it joins the block, and ends the snooze at its end unless another DND span is
   * still running then (its own end ends it). One that never joined (cancelled, missed, no platform) does neither.
   */
  private dndAction(context: SpanEdgeContext, edge: 'start' | 'end', outcome: string): SlackDndJob['action'] | null {
    if (edge === 'start') return JOINED_BLOCK.has(outcome) && context.span.endsAt ? 'snooze' : null;
    if (outcome === 'not-started') return null;
    // At an end the context's live spans are those not ended at the span's end.
    return coveringAtEnd(context.live, context.span).some((other) => other.slackDnd) ? null : 'end';
  }

  private async start(db: EntityManager, context: SpanEdgeContext, now: Date, settle: SettleSteps): Promise<Decided> {
    const { span, open } = context;
    if (span.cancelledAt) return { outcome: 'cancelled', updates: [] };
    if (span.endsAt && span.endsAt <= now) return { outcome: 'missed', updates: [] };
    if (!span.endsAt) {
      // No end, nothing to restore: a plain scheduled change, which also ends any open block (the user's new status).
      for (const row of open) await this.restores.end(db, span.userId, row.platform, null, 'replaced');
      const platforms = this.spanUpdates.targets(context.configured, span);
      if (platforms.length === 0) return { outcome: 'no-platform', updates: [] };
      return this.settledBy('set', await this.spanUpdates.set(db, span, platforms, null, 'start', settle('set')));
    }
    // At a start the context's live spans are those not ended now.
    const expiresAt = blockEnd(context.live, span);
    if (open.length === 0) {
      const platforms = this.spanUpdates.targets(context.configured, span);
      if (platforms.length === 0) return { outcome: 'no-platform', updates: [] };
      // The update, the block's rows and the edge's outcome in one statement.
      return this.settledBy('opened', await this.spanUpdates.set(db, span, platforms, expiresAt, 'start', [this.restores.openBlockWith(span.id), ...settle('opened')]));
    }
    return this.switchTo(db, context, span, expiresAt, 'start', settle);
  }

  private async end(db: EntityManager, context: SpanEdgeContext, now: Date, settle: SettleSteps): Promise<Decided> {
    const { span, open, live } = context;
    // A span that never joined a block (cancelled, missed, no platform) must not end someone else's block.
    if (!context.startOutcome || !JOINED_BLOCK.has(context.startOutcome)) return { outcome: 'not-started', updates: [] };
    if (open.length === 0) return { outcome: 'no-block', updates: [] };
    const covering = coveringAtEnd(live, span);
    if (covering.length > 0) {
      const next = covering[covering.length - 1];
      // A span starting right now switches on its own start edge; one already running shows again if ours hid it.
      if (next.startsAt < span.endsAt! && open[0].shownSpanId === span.id) return this.switchTo(db, context, next, blockEnd(live, next), 'end', settle);
      return { outcome: 'merged', updates: [] };
    }
    const toRestore: SpanRestore[] = [];
    for (const row of open) {
      if (context.changedByUser.has(row.platform)) await this.restores.end(db, span.userId, row.platform, null, 'kept-user-status');
      else if (!row.capturedAt) await this.restores.end(db, span.userId, row.platform, null, 'never-applied');
      else toRestore.push(row);
    }
    if (toRestore.length === 0) return { outcome: 'nothing-restored', updates: [] };
    // Every platform's restore update, the block rows' ends and the edge's outcome in one statement.
    return this.settledBy('restored', await this.spanUpdates.restore(db, span, toRestore, now, [this.restores.endRestoringWith(), ...settle('restored')]));
  }

  /** Within an open block: show `span` instead, unless it already shows the same until at least `expiresAt`. */
  private async switchTo(db: EntityManager, context: SpanEdgeContext, span: SpanRow, expiresAt: Date, edge: string, settle: SettleSteps): Promise<Decided> {
    const platforms = context.open.map((row) => row.platform).filter((platform) => !context.changedByUser.has(platform));
    const shown = context.shown;
    const unchanged = shown && sameStatus(shown, span.status) && shown.expiresAt !== null && shown.expiresAt >= expiresAt;
    if (platforms.length === 0 || unchanged) {
      await this.restores.switchTo(db, span.userId, platforms, span.id, null);
      return { outcome: 'merged', updates: [] };
    }
    // The update, the block's shown span and the edge's outcome in one statement.
    return this.settledBy('switched', await this.spanUpdates.set(db, span, platforms, expiresAt, edge, [this.restores.switchToWith(platforms, span.id), ...settle('switched')]));
  }

  /**
   * After the commit. Unlike a status update a DND request has no outbox: if Redis is down now it is lost, which
   * costs little, since a snooze lasts only the span's remaining minutes and ends by itself.
   */
  private async enqueueDnd(jobs: SlackDndJob[]): Promise<void> {
    await this.dndProducer.enqueue(jobs).catch((error: unknown) => this.logger.warn({ err: error, spanIds: jobs.map((job) => job.spanId) }, 'DND job not enqueued'));
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
