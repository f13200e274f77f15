import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createRedisClient } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { PlatformsModule } from '@statusync/platforms';
import { OAuthConnectService } from './oauth-connect.service';
import { OAUTH_STATE_TTL_MS, oauthStateKey, OAuthStateService } from './oauth-state.service';
import { OAuthController } from './oauth.controller';

@Module({
  imports: [DbModule, PlatformsModule],
  controllers: [OAuthController],
  providers: [
    OAuthConnectService,
    {
      provide: OAuthStateService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // Its own connection: a state must be stored before the person is sent away, so no fail-open here; a
        // Redis outage becomes a 503 (one retry, then the error reaches the problem-details filter).
        const redis = createRedisClient(config.redis, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
        redis.on('error', () => undefined); // reported per request; no unhandled 'error' events
        return new OAuthStateService(redis, {
          prefix: config.redis.queuePrefix,
          signingKey: oauthStateKey(config.tokenEncryptionKeys[0].key),
          ttlMs: OAUTH_STATE_TTL_MS,
        });
      },
    },
  ],
  // Calendars connect through the same signed, single-use states.
  exports: [OAuthStateService],
})
export class OAuthModule {}
