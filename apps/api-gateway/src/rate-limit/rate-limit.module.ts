import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { budgetsFrom } from './budgets';
import { RateLimitConnection } from './rate-limit.connection';
import { redisRateLimiter } from './rate-limiters';
import { RateLimits } from './rate-limits';

/**
 * Per-user and per-address budgets kept in Redis. RateLimitGuard is registered by ApiGatewayModule, not here:
 * it must run after the JWT guard, and only the module that lists both can order them.
 */
@Module({
  providers: [
    RateLimitConnection,
    {
      provide: RateLimits,
      inject: [APP_CONFIG, RateLimitConnection],
      useFactory: (config: AppConfig, connection: RateLimitConnection) => {
        const budgets = budgetsFrom(config.rateLimit);
        const limiterFor = (name: keyof typeof budgets) => ({
          budget: budgets[name],
          limiter: redisRateLimiter(connection.client, budgets[name], config.redis.queuePrefix),
        });
        return new RateLimits({ writes: limiterFor('writes'), reads: limiterFor('reads'), public: limiterFor('public') });
      },
    },
  ],
  exports: [RateLimits],
})
export class RateLimitModule {}
