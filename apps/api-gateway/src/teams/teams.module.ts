import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { TeamAvailabilityService } from './team-availability.service';
import { TeamsController } from './teams.controller';
import { TeamsService } from './teams.service';

@Module({
  imports: [DbModule, QueueModule],
  controllers: [TeamsController],
  providers: [TeamsService, TeamAvailabilityService],
  exports: [TeamAvailabilityService],
})
export class TeamsModule {}
