import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

@Module({
  imports: [DbModule, QueueModule],
  controllers: [SchedulesController],
  providers: [SchedulesService],
})
export class SchedulesModule {}
