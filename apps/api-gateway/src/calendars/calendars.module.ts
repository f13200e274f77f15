import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { CalendarDefaultsController, CalendarDefaultsService } from './calendar-defaults.controller';
import { CalendarsController } from './calendars.controller';
import { CalendarsService } from './calendars.service';

@Module({
  imports: [DbModule, QueueModule],
  controllers: [CalendarsController, CalendarDefaultsController],
  providers: [CalendarsService, CalendarDefaultsService],
})
export class CalendarsModule {}
