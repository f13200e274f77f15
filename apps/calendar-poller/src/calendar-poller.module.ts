import { Module } from '@nestjs/common';
import { ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';

/**
 * Reads users' calendars and enqueues meeting "busy" statuses and the restore afterwards. For now it starts,
 * connects to Postgres and Redis, reports health and shuts down cleanly; calendar sources arrive with their issue.
 */
@Module({
  imports: [ConfigModule, LoggingModule, DbModule, QueueModule, HealthModule],
})
export class CalendarPollerModule {}
