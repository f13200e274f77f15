import { Module } from '@nestjs/common';
import { ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { QueueModule, WebhookEmitter, WebhookProducer } from '@statusync/queue';
import { CalendarWebhookEvents } from './spans/calendar-webhook-events';
import { HistoryPurgeSchedule } from './history/history-purge.schedule';
import { HistoryPurger } from './history/history-purger';
import { OutboxSweeper } from './outbox-sweeper';
import { SpanEdgeFirer } from './spans/span-edge-firer';
import { SpanEdgeWorker } from './spans/span-edge-worker';
import { SpanReconciler } from './spans/span-reconciler';
import { SpanUpdates } from './spans/span-updates';

/** Turns time into jobs: the outbox sweep, the history purge, and the span engine (scheduled and calendar statuses). */
@Module({
  imports: [ConfigModule, LoggingModule, DbModule, QueueModule, HealthModule],
  providers: [
    OutboxSweeper,
    HistoryPurger,
    HistoryPurgeSchedule,
    SpanUpdates,
    SpanEdgeFirer,
    SpanEdgeWorker,
    SpanReconciler,
    WebhookProducer,
    WebhookEmitter,
    CalendarWebhookEvents,
  ],
})
export class SchedulerModule {}
