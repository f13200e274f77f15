import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { materialiseSchedule, SchedulesRepository, SpansRepository, UserScope } from '@statusync/db';
import { FireSpanEdgeJob, SPAN_EDGES_QUEUE, SpanEdgeProducer, spanEdgeJobId } from '@statusync/queue';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';

const BATCH = 1_000;

/**
 * Postgres is the source of truth; Redis only holds delayed jobs. On start and every
 * SCHEDULE_RECONCILE_INTERVAL_MS this (1) materialises recurring schedules a bounded horizon ahead, and (2) gives
 * every unfired edge due within the job horizon its delayed job, re-adding one that Redis lost (a flush, a
 * restart without persistence) or that finished without firing. Safe in several replicas: job ids are
 * deterministic and the edge claim in Postgres fires each edge once.
 */
@Injectable()
export class SpanReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SpanReconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly scope: UserScope,
    private readonly schedules: SchedulesRepository,
    private readonly spans: SpansRepository,
    private readonly producer: SpanEdgeProducer,
    @InjectQueue(SPAN_EDGES_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.schedules.reconcileIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Never overlaps itself; a failure (Postgres or Redis down) is tried again next period. */
  private tick(): void {
    this.running ??= this.reconcile()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'span reconcile failed; will try again'))
      .finally(() => (this.running = undefined));
  }

  /** Returns how many edges got a job. */
  async reconcile(now = new Date()): Promise<number> {
    await this.materialise(now);
    const due = await this.spans.dueEdges(new Date(now.getTime() + this.config.schedules.jobHorizonMs), BATCH);
    let added = 0;
    for (const edge of due) {
      const job: FireSpanEdgeJob = { spanId: edge.spanId, userId: edge.userId, edge: edge.edge, at: edge.dueAt.getTime() };
      if (await this.ensureJob(job, now.getTime())) added++;
    }
    if (added > 0) this.logger.log({ added }, 'span edges given delayed jobs');
    return added;
  }

  private async materialise(now: Date): Promise<void> {
    for (const { scheduleId, userId } of await this.schedules.recurring(BATCH)) {
      const result = await this.scope.run(userId, async (db) => {
        const schedule = await this.schedules.find(db, scheduleId);
        return schedule ? materialiseSchedule(db, this.spans, schedule, now, this.config.schedules.materialiseDays) : null;
      });
      if (result) await this.producer.schedule([...result.changed, ...result.endedNow], now.getTime());
    }
  }

  /** A job that finished (or failed for good) while its edge is still unfired is stale: replace it. */
  private async ensureJob(job: FireSpanEdgeJob, now: number): Promise<boolean> {
    const existing = await this.queue.getJob(spanEdgeJobId(job));
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
      await existing.remove();
    }
    await this.producer.add([job], now);
    return true;
  }
}
