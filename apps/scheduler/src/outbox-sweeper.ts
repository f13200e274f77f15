import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { DeliveriesRepository, DeliveryRef, PendingCursor } from '@statusync/db';
import { PlatformId } from '@statusync/platforms';
import { StatusSyncProducer, syncJobId } from '@statusync/queue';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/** Deliveries read and checked per page: one Postgres query and one Redis pipeline each. */
export const SWEEP_PAGE_SIZE = 500;

/**
 * The database is the outbox: a delivery still `pending` after a while must have a live job. This finds those
 * whose job never reached Redis (Redis was down when the API accepted them) or was lost (Redis restarted
 * without persistence, a job failed while Postgres was unreachable) and enqueues them again.
 * - It pages through EVERY stale pending delivery with a keyset, so a long platform outage (thousands of
 *   legitimately pending ones with live jobs) never hides a newer lost one.
 * - Job existence is checked for a whole page in one pipelined round trip.
 * - Once per tick across replicas: a Redis lock that expires with the tick (never released early), so of several
 *   schedulers only one sweeps each interval. Job ids are deterministic, so even an overlap would be harmless.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSweeper.name);
  private readonly replica = randomUUID();
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
      this.running ??= this.tick()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox sweep failed; will try again'))
        .finally(() => (this.running = undefined));
    }, this.config.outbox.sweepIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sweeps if no other replica has this tick. */
  async tick(): Promise<void> {
    const client = await this.redis();
    const key = `${this.config.redis.queuePrefix}:outbox-sweep:lock`;
    const ttl = Math.max(1, this.config.outbox.sweepIntervalMs - 50);
    if ((await client.set(key, this.replica, 'PX', ttl, 'NX')) !== 'OK') return;
    await this.sweep();
  }

  /** Re-enqueues every stale pending delivery without a live job; returns how many needed it. */
  async sweep(): Promise<number> {
    let after: PendingCursor | null = null;
    let revived = 0;
    for (;;) {
      const page = await this.deliveries.pendingPage(this.config.outbox.sweepAgeMs, after, SWEEP_PAGE_SIZE);
      if (page.length > 0) revived += await this.revivePage(page);
      if (page.length < SWEEP_PAGE_SIZE) break;
      after = page[page.length - 1].cursor;
    }
    if (revived > 0) this.logger.warn({ revived }, 're-enqueued pending deliveries that had no live job');
    return revived;
  }

  /** One pipeline asks, for every delivery, whether its job exists and whether it finished. */
  private async revivePage(page: DeliveryRef[]): Promise<number> {
    const batch = (await this.redis()).pipeline();
    for (const delivery of page) {
      const platform = delivery.platform as PlatformId;
      const queue = this.producer.queueFor(platform);
      batch.hmget(`${queue.qualifiedName}:${syncJobId(delivery.updateId, platform)}`, 'timestamp', 'finishedOn');
    }
    const answers = ((await batch.exec()) ?? []) as [Error | null, (string | null)[]][];
    const missing: DeliveryRef[] = [];
    let revived = 0;
    for (const [index, delivery] of page.entries()) {
      const [error, [timestamp, finishedOn]] = answers[index];
      if (error) throw error;
      if (timestamp === null) missing.push(delivery);
      // Finished (completed or failed) but the delivery is still pending: the rare case, checked job by job.
      else if (finishedOn !== null && (await this.reviveFinished(delivery))) revived++;
    }
    const jobs = missing.map((d) => ({ updateId: d.updateId, platform: d.platform as PlatformId, userId: d.userId, requestId: d.requestId }));
    await this.producer.enqueue(jobs);
    return revived + missing.length;
  }

  /** The queues' connection (ioredis: a Cluster has the same commands). */
  private async redis(): Promise<Redis> {
    return (await this.producer.allQueues()[0].getBackend().client) as unknown as Redis;
  }

  private async reviveFinished(delivery: DeliveryRef): Promise<boolean> {
    const platform = delivery.platform as PlatformId;
    const job = await this.producer.queueFor(platform).getJob(syncJobId(delivery.updateId, platform));
    const state = job ? await job.getState() : 'unknown';
    if (job && state === 'failed') {
      // A fresh set of attempts: the earlier ones failed for reasons (e.g. Postgres down) that are gone now.
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    }
    if (job && state !== 'completed' && state !== 'unknown') return false; // waiting, delayed or active: it will run
    await job?.remove();
    await this.producer.enqueue([{ updateId: delivery.updateId, platform, userId: delivery.userId, requestId: delivery.requestId }]);
    return true;
  }
}
