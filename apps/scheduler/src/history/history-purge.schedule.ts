import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { HISTORY_PURGE_SCHEDULER, logQueueErrors, MAINTENANCE_QUEUE, MaintenanceJob, maintenanceJobOptions } from '@statusync/queue';
import { Job, Queue, Worker } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { HistoryPurger } from './history-purger';

const RETRY_SCHEDULE_MS = 5_000;

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
  private scheduled?: Promise<void>;
  private closing = false;

  constructor(
    private readonly purger: HistoryPurger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Does not wait for Redis: the service starts (and reports not ready) while Redis is down, and schedules once it is back. */
  onApplicationBootstrap(): void {
    const connection = { connection: bullConnection(this.config.redis), prefix: this.config.redis.queuePrefix };
    this.queue = new Queue(MAINTENANCE_QUEUE, connection);
    logQueueErrors(this.queue, this.logger);
    this.worker = new Worker(MAINTENANCE_QUEUE, (job: Job) => this.run(job), { ...connection, concurrency: 1 });
    logQueueErrors(this.worker, this.logger);
    this.scheduled = this.schedule();
  }

  /** Resolves once the job scheduler is in Redis (for tests and shutdown). */
  whenScheduled(): Promise<void> {
    return this.scheduled ?? Promise.resolve();
  }

  private async schedule(): Promise<void> {
    for (;;) {
      try {
        await this.queue!.upsertJobScheduler(
          HISTORY_PURGE_SCHEDULER,
          { every: this.config.history.purgeIntervalMs },
          { name: MaintenanceJob.PurgeHistory, data: {}, opts: maintenanceJobOptions },
        );
        return;
      } catch (error) {
        if (this.closing) return;
        this.logger.warn({ err: error }, 'could not schedule the history purge yet; trying again');
        await sleep(RETRY_SCHEDULE_MS);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.worker?.close();
    await this.queue?.close();
  }

  private async run(job: Job): Promise<{ deleted: number }> {
    if (job.name !== MaintenanceJob.PurgeHistory) throw new Error(`unknown maintenance job ${job.name}`);
    return { deleted: await this.purger.purge() };
  }
}
