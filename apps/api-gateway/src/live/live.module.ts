import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { LiveController } from './live.controller';
import { LiveHub } from './live-hub';

@Module({
  imports: [TeamsModule],
  controllers: [LiveController],
  providers: [LiveHub],
})
export class LiveModule {}
