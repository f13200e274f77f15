import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createRedisClient, RedisClient } from '@statusync/core';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * The per-user write budget on each platform (Slack: 10 profile writes a minute per user), spent before each call
 * and shared by every worker replica through Redis, so we wait for it rather than learn it from a 429. Best effort:
 * while Redis cannot answer, the call goes ahead (the platform's own limit still answers with a 429 we honour).
 */
@Injectable()
export class WriteBudget implements OnApplicationShutdown {
  private readonly logger = new Logger(WriteBudget.name);
  private readonly redis: RedisClient;
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Auto-pipelining: the budget checks of every job that starts in the same turn of the event loop share one write.
    this.redis = createRedisClient(config.redis, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => undefined);
    for (const [platform, points] of Object.entries(config.sync.writesPerMinute)) {
      if (points > 0) {
        this.limiters.set(platform, new RateLimiterRedis({ storeClient: this.redis, keyPrefix: `${config.redis.queuePrefix}:write-budget:${platform}`, points, duration: 60 }));
      }
    }
  }

  /** Spends one write; returns 0 when the call may go ahead, or how long to wait for the budget. */
  async take(userId: string, platform: string): Promise<number> {
    const limiter = this.limiters.get(platform);
    if (!limiter) return 0;
    try {
      await limiter.consume(userId);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
      this.logger.warn({ err: rejection, platform }, 'write budget unavailable; calling without it');
      return 0;
    }
  }

  /** Closed after the HTTP drain and the workers' last jobs (beforeApplicationShutdown), which still use it. */
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
