import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { SPAN_EDGES_QUEUE, SpanEdgeJobName } from '@statusync/queue';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { parseFireSpanEdgeJob } from './span-edge-job';
import { SpanEdgeFirer } from './span-edge-firer';

/**
 * Connections of the scheduler's pool kept free of edge firings: the reconcile, the outbox sweep and the history
 * purge each use one at a time.
 */
export const CONNECTIONS_KEPT_FREE = 2;

/**
 * Edges fired at once: each firing holds one connection for its short transaction, so as many as the pool has
 * left (issue 10's burst: thousands of edges due in the same second; five at a time took a minute).
 */
export const spanEdgeConcurrency = (poolSize: number) => Math.max(1, poolSize - CONNECTIONS_KEPT_FREE);

/** Takes due span-edge jobs (every scheduler replica runs one; Postgres decides which one fires an edge). */
@Injectable()
export class SpanEdgeWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SpanEdgeWorker.name);
  private worker?: Worker;

  constructor(
    private readonly firer: SpanEdgeFirer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(SPAN_EDGES_QUEUE, (job: Job) => this.run(job), {
      connection: bullConnection(this.config.redis),
      prefix: this.config.redis.queuePrefix,
      concurrency: spanEdgeConcurrency(this.config.database.poolSize),
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
    return (await this.firer.fire(payload)).outcome;
  }
}
