import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { WebhookDeliveryTarget } from '@statusync/db';
import { Queue } from 'bullmq';
import { DELIVER_WEBHOOK_JOB, DeliverWebhookJob, WEBHOOK_DELIVERY_QUEUE, webhookJobId, webhookJobOptions } from './webhook-events';

/**
 * Enqueues webhook deliveries already recorded in Postgres. Its own Queue (not BullModule's) so the worker, which
 * runs without QueueModule, can use it too. A failed enqueue loses nothing: the delivery row stays pending and the
 * worker's overdue sweep enqueues it again.
 */
@Injectable()
export class WebhookProducer implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookProducer.name);
  private readonly queue: Queue<DeliverWebhookJob>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.queue = new Queue<DeliverWebhookJob>(WEBHOOK_DELIVERY_QUEUE, { connection: bullConnection(config.redis), prefix: config.redis.queuePrefix });
    this.queue.on('error', (error) => this.logger.warn({ err: error }, 'webhook queue connection error'));
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

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}
