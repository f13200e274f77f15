import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { CalendarsController } from './calendars.controller';
import { CalendarsService } from './calendars.service';

@Module({
  imports: [DbModule, QueueModule],
  controllers: [CalendarsController],
  providers: [CalendarsService],
})
export class CalendarsModule {}
