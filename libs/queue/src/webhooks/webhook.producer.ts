import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { WebhookDeliveryTarget } from '@statusync/db';
import { Queue } from 'bullmq';
import { logQueueErrors } from '../queue-errors';
import { DELIVER_WEBHOOK_JOB, DeliverWebhookJob, WEBHOOK_DELIVERY_QUEUE, webhookJobId, webhookJobOptions } from './webhook-events';

/**
 * Enqueues webhook deliveries already recorded in Postgres. Its own Queue (not BullModule's) so the worker, which
 * runs without QueueModule, can use it too. A failed enqueue loses nothing: the delivery row stays pending and the
 * worker's overdue sweep enqueues it again.
 */
@Injectable()
export class WebhookProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookProducer.name);
  private readonly queue: Queue<DeliverWebhookJob>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.queue = new Queue<DeliverWebhookJob>(WEBHOOK_DELIVERY_QUEUE, { connection: bullConnection(config.redis), prefix: config.redis.queuePrefix });
    logQueueErrors(this.queue, this.logger);
  }

  /** Call after the transaction that recorded the deliveries commits. Never throws (see above). */
  async enqueue(targets: WebhookDeliveryTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const options = webhookJobOptions(this.config.webhooks.retryScheduleMs);
    try {
      await this.queue.addBulk(
        targets.map((target) => ({
          name: DELIVER_WEBHOOK_JOB,
          data: { deliveryId: target.deliveryId, webhookId: target.webhookId, ownerId: target.ownerId, orgId: target.orgId },
          opts: { ...options, jobId: webhookJobId(target.deliveryId, target.replays) },
        })),
      );
    } catch (error) {
      this.logger.warn({ err: error, deliveries: targets.length }, 'webhook deliveries not enqueued; the overdue sweep will');
    }
  }

  /**
   * For the overdue sweep: enqueues deliveries whose job is gone (Redis lost it) and retries those whose job failed
   * for good on an error the processor did not expect (the database was down on its last attempt). A failed job
   * keeps its attempt count, so the retry is one more try, not a fresh schedule. Jobs waiting, delayed, running or
   * completed are left alone. Returns how many were enqueued or retried.
   */
  async revive(targets: WebhookDeliveryTarget[]): Promise<number> {
    const missing: WebhookDeliveryTarget[] = [];
    let retried = 0;
    for (const target of targets) {
      const job = await this.queue.getJob(webhookJobId(target.deliveryId, target.replays));
      if (!job) missing.push(target);
      else if ((await job.getState()) === 'failed') {
        await job.retry('failed');
        retried++;
      }
    }
    await this.enqueue(missing);
    return missing.length + retried;
  }

  /** The queue, for Bull Board. */
  get deliveryQueue(): Queue<DeliverWebhookJob> {
    return this.queue;
  }

  /** Closed after the HTTP drain and the workers' last jobs (beforeApplicationShutdown), which still use it. */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
