import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { PlatformRegistry } from './platform-registry';

/** Provides the PlatformRegistry built from the configured platform URLs. */
@Module({
  providers: [
    {
      provide: PlatformRegistry,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => PlatformRegistry.fromEndpoints(config.platforms),
    },
  ],
  exports: [PlatformRegistry],
})
export class PlatformsModule {}
