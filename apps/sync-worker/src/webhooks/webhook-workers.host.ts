import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { WebhooksRepository } from '@statusync/db';
import { DeliverWebhookJob, logQueueErrors, WEBHOOK_BACKOFF, WEBHOOK_DELIVERY_QUEUE, WebhookProducer } from '@statusync/queue';
import { Job, Worker } from 'bullmq';
import { WebhookDeliveryProcessor, WebhookRetryLater } from './webhook-delivery.processor';

/** A pending delivery this far past its attempt time lost its job (Redis flushed or failed over): enqueue it again. */
const OVERDUE_MS = 2 * 60_000;
const SWEEP_BATCH = 500;

/**
 * The webhook-delivery queue's worker, apart from the sync queues (its own concurrency, WEBHOOK_CONCURRENCY): a slow
 * receiver (up to WEBHOOK_TIMEOUT_MS per attempt) never holds up status syncs. Also sweeps Postgres for overdue
 * pending deliveries, so an event recorded is always delivered, failed after its retries or disabled.
 */
@Injectable()
export class WebhookWorkersHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookWorkersHost.name);
  private worker: Worker<DeliverWebhookJob> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly processor: WebhookDeliveryProcessor,
    private readonly webhooks: WebhooksRepository,
    private readonly producer: WebhookProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { redis, webhooks } = this.config;
    this.worker = new Worker<DeliverWebhookJob>(WEBHOOK_DELIVERY_QUEUE, (job: Job<DeliverWebhookJob>) => this.processor.process(job), {
      connection: bullConnection(redis),
      prefix: redis.queuePrefix,
      concurrency: webhooks.concurrency,
      // An attempt can take the whole timeout; the lock must outlive it.
      lockDuration: Math.max(30_000, webhooks.timeoutMs * 2),
      settings: {
        // The processor stored the next attempt's time with the delivery; BullMQ waits exactly that long.
        backoffStrategy: (attemptsMade: number, type?: string, error?: Error) => {
          if (type === WEBHOOK_BACKOFF && error instanceof WebhookRetryLater) return error.delayMs;
          return webhooks.retryScheduleMs[Math.min(attemptsMade, webhooks.retryScheduleMs.length - 1)];
        },
      },
    });
    logQueueErrors(this.worker, this.logger);
    this.sweepTimer = setInterval(() => void this.sweep(), webhooks.sweepIntervalMs);
    this.sweepTimer.unref();
    void this.sweep();
    this.logger.log(`delivering webhooks with concurrency ${webhooks.concurrency}`);
  }

  /** Re-enqueues overdue pending deliveries whose job was lost, and retries those whose job failed unexpectedly. */
  async sweep(): Promise<number> {
    try {
      const overdue = await this.webhooks.overdue(OVERDUE_MS, SWEEP_BATCH);
      const revived = overdue.length > 0 ? await this.producer.revive(overdue) : 0;
      if (revived > 0) this.logger.log({ deliveries: revived }, 'overdue webhook deliveries enqueued again');
      return revived;
    } catch (error) {
      this.logger.warn({ err: error }, 'webhook sweep failed; the next one tries again');
      return 0;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.worker?.close();
  }
}
