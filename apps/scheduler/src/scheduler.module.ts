import { Module } from '@nestjs/common';
import { ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { HistoryPurgeSchedule } from './history/history-purge.schedule';
import { HistoryPurger } from './history/history-purger';
import { OutboxSweeper } from './outbox-sweeper';

/** Turns time into jobs: the outbox sweep and the history purge; scheduled and expiring statuses arrive with their issue. */
@Module({
  imports: [ConfigModule, LoggingModule, DbModule, QueueModule, HealthModule],
  providers: [OutboxSweeper, HistoryPurger, HistoryPurgeSchedule],
})
export class SchedulerModule {}
