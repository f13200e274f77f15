import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import type { Queue } from 'bullmq';
import { FireSpanEdgeJob, SPAN_EDGES_QUEUE, SpanEdgeJobName, spanEdgeJobId, spanEdgeJobOptions } from './span-edges';

/** The spans' times, as the span engine stores them (structural, so this lib needs no db import). */
export interface TimedSpanRef {
  id: string;
  userId: string;
  startsAt: Date;
  endsAt: Date | null;
}

/**
 * Gives span edges their delayed jobs. Only edges within the job horizon get one now; the scheduler's reconcile
 * adds the later ones as they come near, and re-adds any that Redis lost.
 */
@Injectable()
export class SpanEdgeProducer {
  constructor(
    @InjectQueue(SPAN_EDGES_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Both edges of each span that fall within the horizon. Call after the transaction that stored them commits. */
  async schedule(spans: TimedSpanRef[], now = Date.now()): Promise<void> {
    const jobs: FireSpanEdgeJob[] = [];
    for (const span of spans) {
      jobs.push({ spanId: span.id, userId: span.userId, edge: 'start', at: span.startsAt.getTime() });
      if (span.endsAt) jobs.push({ spanId: span.id, userId: span.userId, edge: 'end', at: span.endsAt.getTime() });
    }
    await this.add(jobs.filter((job) => job.at <= now + this.config.schedules.jobHorizonMs), now);
  }

  async add(jobs: FireSpanEdgeJob[], now = Date.now()): Promise<void> {
    await Promise.all(
      jobs.map((job) =>
        this.queue.add(SpanEdgeJobName.Fire, job, { ...spanEdgeJobOptions, jobId: spanEdgeJobId(job), delay: Math.max(0, job.at - now) }),
      ),
    );
  }
}
