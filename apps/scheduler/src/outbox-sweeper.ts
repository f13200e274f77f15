import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { DeliveriesRepository, DeliveryRef } from '@statusync/db';
import { PlatformId } from '@statusync/platforms';
import { StatusSyncProducer, syncJobId } from '@statusync/queue';

const BATCH_SIZE = 500;

/**
 * The database is the outbox: a delivery still `pending` after a while must have a live job. This finds those
 * whose job never reached Redis (Redis was down when the API accepted them) or was lost (Redis restarted
 * without persistence, a job failed while Postgres was unreachable) and enqueues them again. Safe to run in
 * several replicas: job ids are deterministic, so a second enqueue is a no-op.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly producer: StatusSyncProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // Never overlap two sweeps.
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox sweep failed; will try again'))
        .finally(() => (this.running = undefined));
    }, this.config.outbox.sweepIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Re-enqueues stale pending deliveries; returns how many needed it. */
  async sweep(): Promise<number> {
    const stale = await this.deliveries.pendingOlderThan(this.config.outbox.sweepAgeMs, BATCH_SIZE);
    let revived = 0;
    for (const delivery of stale) {
      if (await this.revive(delivery)) revived++;
    }
    if (revived > 0) this.logger.warn({ revived }, 're-enqueued pending deliveries that had no live job');
    return revived;
  }

  private async revive(delivery: DeliveryRef): Promise<boolean> {
    const platform = delivery.platform as PlatformId;
    const queue = this.producer.queueFor(platform);
    const job = await queue.getJob(syncJobId(delivery.updateId, platform));
    if (job) {
      const state = await job.getState();
      if (state === 'failed') {
        // A fresh set of attempts: the earlier ones failed for reasons (e.g. Postgres down) that are gone now.
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return true;
      }
      if (state !== 'completed' && state !== 'unknown') return false; // waiting, delayed or active: it will run
      await job.remove();
    }
    await this.producer.enqueue([{ updateId: delivery.updateId, platform, userId: delivery.userId, requestId: delivery.requestId }]);
    return true;
  }
}
