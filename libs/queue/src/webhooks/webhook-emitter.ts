import { Injectable } from '@nestjs/common';
import { WebhookDeliveryTarget, WebhooksRepository } from '@statusync/db';
import { EntityManager } from 'typeorm';
import { WebhookEvent } from './webhook-events';
import { WebhookProducer } from './webhook.producer';

/**
 * Records webhook events and hands their deliveries to the queue. `record` runs inside the caller's user-scoped
 * transaction, so an event commits with the change it reports (or not at all); `dispatch` enqueues after the commit.
 */
@Injectable()
export class WebhookEmitter {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly producer: WebhookProducer,
  ) {}

  record(db: EntityManager, events: WebhookEvent[]): Promise<WebhookDeliveryTarget[]> {
    return this.webhooks.emitMany(db, events);
  }

  dispatch(targets: WebhookDeliveryTarget[]): Promise<void> {
    return this.producer.enqueue(targets);
  }
}
