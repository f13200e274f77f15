import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { StatusModule } from '../status/status.module';
import { PresetsController } from './presets.controller';
import { PresetsService } from './presets.service';
import { TemplatesController } from './templates.controller';
import { TemplatesService } from './templates.service';

@Module({
  imports: [DbModule, StatusModule],
  controllers: [TemplatesController, PresetsController],
  providers: [TemplatesService, PresetsService],
})
export class TemplatesModule {}
