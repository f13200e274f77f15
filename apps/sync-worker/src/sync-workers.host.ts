import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { PLATFORMS } from '@statusync/platforms';
import { logQueueErrors, PLATFORM_BACKOFF, platformBackoff, statusSyncQueueName, SyncStatusJob } from '@statusync/queue';
import { Job, Worker } from 'bullmq';
import { JobHandlers } from './job-handlers';

/**
 * One BullMQ worker per platform queue, built from configuration (concurrency, backoff, stall detection),
 * which `@Processor()` decorator options cannot read. Closed before the database on shutdown, so SIGTERM lets
 * in-flight jobs finish; a killed worker's jobs are picked up again by stalled-job recovery.
 */
@Injectable()
export class SyncWorkersHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncWorkersHost.name);
  private workers: Worker<SyncStatusJob>[] = [];

  constructor(
    private readonly handlers: JobHandlers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { sync, redis } = this.config;
    const backoff = platformBackoff({ baseMs: sync.backoffBaseMs, maxMs: sync.backoffMaxMs });
    this.workers = PLATFORMS.map((platform) => {
      const worker = new Worker<SyncStatusJob>(statusSyncQueueName(platform), (job: Job<SyncStatusJob>, token?: string) => this.handlers.run(job, token), {
        connection: bullConnection(redis),
        prefix: redis.queuePrefix,
        concurrency: sync.concurrency,
        lockDuration: sync.stalledIntervalMs,
        stalledInterval: sync.stalledIntervalMs,
        maxStalledCount: 2,
        settings: {
          backoffStrategy: (attemptsMade, type, error) => (type === PLATFORM_BACKOFF ? backoff(attemptsMade, type, error) : 0),
        },
      });
      logQueueErrors(worker, this.logger);
      return worker;
    });
    this.logger.log(`processing ${PLATFORMS.join(', ')} with concurrency ${sync.concurrency} each`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.logger.log('workers closed; in-flight jobs finished');
  }
}
