import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createRedisClient, RedisClient } from '@statusync/core';

/** Long enough for a healthy Redis under load; a slower answer is treated as an outage (insurance limiter). */
const COMMAND_TIMEOUT_MS = 500;

/**
 * The rate limiters' own Redis connection. It fails fast (no offline queue, short command timeout) because
 * a request must never wait for a rate-limit answer: on failure the in-memory insurance limiter decides.
 * Logs once when Redis goes away and once when it is back.
 */
@Injectable()
export class RateLimitConnection implements OnApplicationShutdown {
  readonly client: RedisClient;
  private readonly logger = new Logger(RateLimitConnection.name);
  private degraded = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = createRedisClient(config.redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
    this.client.on('error', (error: Error) => {
      if (this.degraded) return;
      this.degraded = true;
      this.logger.warn(`Redis unavailable for rate limiting (${error.message}): limits are per instance until it is back`);
    });
    this.client.on('ready', () => {
      if (!this.degraded) return;
      this.degraded = false;
      this.logger.log('Redis is back: rate limits are shared across instances again');
    });
  }

  /** Closed after the HTTP drain and the workers' last jobs (beforeApplicationShutdown), which still use it. */
  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
