import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { StatementBatcher } from '@statusync/db';
import { FireSpanEdgeJob, logQueueErrors, SPAN_EDGES_QUEUE, SpanEdgeJobName } from '@statusync/queue';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { parseFireSpanEdgeJob } from './span-edge-job';
import { FireResult, SpanEdgeFirer } from './span-edge-firer';

/** Most edges fired in one transaction: bounds how long a group holds its users' edge locks (§41). */
export const MAX_EDGES_PER_GROUP = 32;

/**
 * Connections of the scheduler's pool kept free of edge firings: the reconcile, the outbox sweep and the history
 * purge each use one at a time.
 */
export const CONNECTIONS_KEPT_FREE = 2;

/** The pool's connections left for edge firings (one transaction each). */
export const spanEdgeConcurrency = (poolSize: number) => Math.max(1, poolSize - CONNECTIONS_KEPT_FREE);

/**
 * Firing transactions in flight at most (§41). Each fires a group of edges, so width now comes from the groups: few
 * transactions let the edges that arrive meanwhile gather into large groups (one BEGIN/COMMIT and one enqueue each),
 * where eighteen groups of one or two cost as much CPU per edge as firing one by one (measured in the burst).
 */
export const MAX_FIRING_TRANSACTIONS = 4;
export const spanEdgeTransactions = (poolSize: number) => Math.min(MAX_FIRING_TRANSACTIONS, spanEdgeConcurrency(poolSize));

/**
 * Edge jobs the worker takes at once: enough for every transaction in flight to be followed by a full group. They
 * wait in memory holding nothing (BullMQ keeps their locks).
 */
export const spanEdgeJobsAtOnce = (poolSize: number) => spanEdgeTransactions(poolSize) * MAX_EDGES_PER_GROUP;

/** Takes due span-edge jobs (every scheduler replica runs one; Postgres decides which one fires an edge). */
@Injectable()
export class SpanEdgeWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SpanEdgeWorker.name);
  private worker?: Worker;
  /**
   * Group commit (§41): the edges that arrive while every firing transaction is out wait and go together in the next
   * group; a lone edge on a quiet system fires in a group of one. Each edge gets its own result or error.
   */
  private readonly groups: StatementBatcher<FireSpanEdgeJob, FireResult | Error>;

  constructor(
    private readonly firer: SpanEdgeFirer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.groups = new StatementBatcher({
      one: async (job) => (await this.firer.fireGroup([job]))[0],
      many: (jobs) => this.firer.fireGroup(jobs),
      maxInFlight: spanEdgeTransactions(config.database.poolSize),
      maxBatch: MAX_EDGES_PER_GROUP,
    });
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker(SPAN_EDGES_QUEUE, (job: Job) => this.run(job), {
      connection: bullConnection(this.config.redis),
      prefix: this.config.redis.queuePrefix,
      concurrency: spanEdgeJobsAtOnce(this.config.database.poolSize),
    });
    logQueueErrors(this.worker, this.logger);
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
    const fired = await this.groups.run(payload);
    if (fired instanceof Error) throw fired;
    return fired.outcome;
  }
}
