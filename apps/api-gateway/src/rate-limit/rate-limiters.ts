import type { RedisClient as Redis } from '@statusync/core';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { Budget } from './budgets';

/**
 * One budget's counter in Redis, so every gateway instance draws on the same budget. Keys live under the
 * queue prefix (`<QUEUE_PREFIX>:rate-limit:<budget>:<user id or address>`), beside the queues of the same
 * deployment, and each expires with its window (a fixed window that starts at the caller's first request).
 *
 * When Redis cannot answer, the in-memory insurance limiter takes over with the same budget: requests keep
 * being served with per-instance limits instead of failing, which is the lesser harm for an API whose own
 * writes need Postgres, not Redis, to be accepted (docs/decisions.md 3).
 */
export function redisRateLimiter(client: Redis, budget: Budget, queuePrefix: string): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${queuePrefix}:rate-limit:${budget.name}`,
    points: budget.points,
    duration: budget.windowSeconds,
    // Without a connection, go to the insurance limiter at once rather than wait for a reconnect.
    rejectIfRedisNotReady: true,
    // A caller over budget is remembered in memory until the window ends: their further requests are refused
    // without a Redis round trip, so hammering after a 429 costs us nothing.
    inMemoryBlockOnConsumed: budget.points + 1,
    insuranceLimiter: new RateLimiterMemory({ points: budget.points, duration: budget.windowSeconds }),
  });
}
