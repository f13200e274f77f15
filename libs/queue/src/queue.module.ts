import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { STATUS_SYNC_QUEUES } from './queue-names';
import { StatusSyncProducer } from './status-sync.producer';
import { STATUS_READ_QUEUES } from './read-status';
import { StatusReadProducer } from './status-read.producer';
import { LivePublisher } from './live/live-publisher';
import { CALENDAR_POLL_QUEUE } from './calendar-poll';
import { CalendarPollProducer } from './calendar-poll.producer';
import { SPAN_EDGES_QUEUE } from './span-edges';
import { SpanEdgeProducer } from './span-edge.producer';
import { SlackDndProducer } from './slack-dnd.producer';
import { WEBHOOK_DELIVERY_QUEUE } from './webhooks/webhook-events';
import { QueueErrorLogger } from './queue-errors';

const REGISTERED_QUEUES = [...STATUS_SYNC_QUEUES, ...STATUS_READ_QUEUES, CALENDAR_POLL_QUEUE, SPAN_EDGES_QUEUE, WEBHOOK_DELIVERY_QUEUE];

/** The Redis connection, the status-sync queues and their typed producer: shared by every service. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: bullConnection(config.redis),
        prefix: config.redis.queuePrefix,
      }),
    }),
    ...REGISTERED_QUEUES.map((name) => BullModule.registerQueue({ name })),
  ],
  providers: [
    { provide: QueueErrorLogger, inject: [ModuleRef], useFactory: (moduleRef: ModuleRef) => new QueueErrorLogger(moduleRef, REGISTERED_QUEUES) },
    StatusSyncProducer,
    StatusReadProducer,
    LivePublisher,
    CalendarPollProducer,
    SpanEdgeProducer,
    SlackDndProducer,
  ],
  exports: [BullModule, StatusSyncProducer, StatusReadProducer, LivePublisher, CalendarPollProducer, SpanEdgeProducer, SlackDndProducer],
})
export class QueueModule {}
