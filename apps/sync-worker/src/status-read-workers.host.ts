import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { PLATFORMS } from '@statusync/platforms';
import { logQueueErrors, READ_LIMITS, ReadStatusJob, statusReadQueueName } from '@statusync/queue';
import { Job, Worker } from 'bullmq';
import { JobHandlers } from './job-handlers';

/**
 * One worker per read-back queue, one job at a time, behind the queue's rate limiter (global across replicas):
 * reads are spread out, never burst, and never compete with writes for the write queues' workers.
 */
@Injectable()
export class StatusReadWorkersHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatusReadWorkersHost.name);
  private workers: Worker<ReadStatusJob>[] = [];

  constructor(
    private readonly handlers: JobHandlers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { redis } = this.config;
    this.workers = PLATFORMS.map((platform) => {
      const worker = new Worker<ReadStatusJob>(statusReadQueueName(platform), (job: Job<ReadStatusJob>, token?: string) => this.handlers.run(job, token), {
        connection: bullConnection(redis),
        prefix: redis.queuePrefix,
        concurrency: 1,
        limiter: READ_LIMITS[platform],
      });
      logQueueErrors(worker, this.logger);
      return worker;
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
