import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { PlatformsModule } from '@statusync/platforms';
import { PlatformConfigController } from './platform-config.controller';
import { PlatformConfigService } from './platform-config.service';

@Module({
  imports: [DbModule, PlatformsModule],
  controllers: [PlatformConfigController],
  providers: [PlatformConfigService],
})
export class PlatformConfigModule {}
