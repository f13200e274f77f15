import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { SPAN_EDGES_QUEUE, SpanEdgeJobName } from '@statusync/queue';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { parseFireSpanEdgeJob } from './span-edge-job';
import { FireResult, SpanEdgeFirer } from './span-edge-firer';
import { SpanEdgeGroups } from './span-edge-groups';

/**
 * Connections of the scheduler's pool kept free of edge firings: the reconcile, the outbox sweep and the history
 * purge each use one at a time.
 */
export const CONNECTIONS_KEPT_FREE = 2;

/**
 * Firing transactions at once: each holds one connection for its short transaction, so as many as the pool has
 * left (issue 10's burst: thousands of edges due in the same second; five at a time took a minute).
 */
export const spanEdgeConcurrency = (poolSize: number) => Math.max(1, poolSize - CONNECTIONS_KEPT_FREE);

/** Edges taken per firing transaction on average when every one is busy: they wait in memory, holding nothing. */
export const EDGES_TAKEN_PER_TRANSACTION = 8;

/**
 * Edge jobs the worker takes at once (§41): enough beyond the transactions in flight for the next groups to form
 * while those run.
 */
export const spanEdgeJobsAtOnce = (poolSize: number) => spanEdgeConcurrency(poolSize) * EDGES_TAKEN_PER_TRANSACTION;

/** Takes due span-edge jobs (every scheduler replica runs one; Postgres decides which one fires an edge). */
@Injectable()
export class SpanEdgeWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SpanEdgeWorker.name);
  private worker?: Worker;
  private readonly groups: SpanEdgeGroups<FireResult>;

  constructor(
    private readonly firer: SpanEdgeFirer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.groups = new SpanEdgeGroups((jobs) => this.firer.fireGroup(jobs), spanEdgeConcurrency(config.database.poolSize));
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker(SPAN_EDGES_QUEUE, (job: Job) => this.run(job), {
      connection: bullConnection(this.config.redis),
      prefix: this.config.redis.queuePrefix,
      concurrency: spanEdgeJobsAtOnce(this.config.database.poolSize),
    });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'span-edge worker connection error'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  private async run(job: Job): Promise<string> {
    if (job.name !== SpanEdgeJobName.Fire) throw new UnrecoverableError(`unknown span-edge job ${job.name}`);
    let payload;
    try {
      payload = parseFireSpanEdgeJob(job.data);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    return (await this.groups.fire(payload)).outcome;
  }
}
