import { Module } from '@nestjs/common';
import { ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { OutboxSweeper } from './outbox-sweeper';

/** Turns time into jobs: today the outbox sweep; scheduled and expiring statuses arrive with their issue. */
@Module({
  imports: [ConfigModule, LoggingModule, DbModule, QueueModule, HealthModule],
  providers: [OutboxSweeper],
})
export class SchedulerModule {}
