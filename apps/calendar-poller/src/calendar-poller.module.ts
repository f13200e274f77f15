import { Module } from '@nestjs/common';
import { ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { CalendarPollHost } from './calendar-poll.host';
import { CalendarReader } from './calendar-reader';

/**
 * Reads users' calendars: each connected calendar at once, then every CALENDAR_POLL_INTERVAL_MS, and stores
 * the busy spans of the next days (`calendar_spans`). Setting statuses from those spans is the scheduler's.
 */
@Module({
  imports: [ConfigModule, LoggingModule, DbModule, QueueModule, HealthModule],
  providers: [CalendarReader, CalendarPollHost],
})
export class CalendarPollerModule {}
