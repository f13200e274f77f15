import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { OAuthProviderRegistry } from './oauth-registry';
import { PlatformRegistry } from './platform-registry';

/** Provides the PlatformRegistry built from the configured platform URLs, and the configured OAuth providers. */
@Module({
  providers: [
    {
      provide: PlatformRegistry,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => PlatformRegistry.fromEndpoints(config.platforms),
    },
    {
      provide: OAuthProviderRegistry,
      inject: [APP_CONFIG, PlatformRegistry],
      useFactory: (config: AppConfig, platforms: PlatformRegistry) =>
        OAuthProviderRegistry.fromSettings(
          { github: config.oauth.github, slack: config.oauth.slack, slackApiUrl: config.platforms.slackApiUrl, timeoutMs: config.platforms.timeoutMs },
          platforms,
        ),
    },
  ],
  exports: [PlatformRegistry, OAuthProviderRegistry],
})
export class PlatformsModule {}
