import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { LiveNotifier, QueueModule } from '@statusync/queue';
import { StatusController } from './status.controller';
import { StatusQueriesService } from './status-queries.service';
import { StatusRequestsService } from './status-requests.service';

@Module({
  imports: [DbModule, QueueModule],
  controllers: [StatusController],
  providers: [StatusRequestsService, StatusQueriesService, LiveNotifier],
  exports: [StatusRequestsService],
})
export class StatusModule {}
