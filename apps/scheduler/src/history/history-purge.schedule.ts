import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { HISTORY_PURGE_SCHEDULER, MAINTENANCE_QUEUE, MaintenanceJob, maintenanceJobOptions } from '@statusync/queue';
import { Job, Queue, Worker } from 'bullmq';
import { HistoryPurger } from './history-purger';

/**
 * Runs the history purge once per HISTORY_PURGE_INTERVAL_MS across all scheduler replicas: a BullMQ job
 * scheduler (not a timer per process) produces one job per period, and whichever replica's worker takes it
 * purges. Every replica upserts the same scheduler at start-up, which is idempotent.
 */
@Injectable()
export class HistoryPurgeSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryPurgeSchedule.name);
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    private readonly purger: HistoryPurger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const connection = { connection: { url: this.config.redis.url }, prefix: this.config.redis.queuePrefix };
    this.queue = new Queue(MAINTENANCE_QUEUE, connection);
    this.worker = new Worker(MAINTENANCE_QUEUE, (job: Job) => this.run(job), { ...connection, concurrency: 1 });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'maintenance worker connection error'));
    await this.queue.upsertJobScheduler(
      HISTORY_PURGE_SCHEDULER,
      { every: this.config.history.purgeIntervalMs },
      { name: MaintenanceJob.PurgeHistory, data: {}, opts: maintenanceJobOptions },
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }

  private async run(job: Job): Promise<{ deleted: number }> {
    if (job.name !== MaintenanceJob.PurgeHistory) throw new Error(`unknown maintenance job ${job.name}`);
    return { deleted: await this.purger.purge() };
  }
}
