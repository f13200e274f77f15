import type { AppConfig } from '@statusync/core';
import { LivePublisher } from '@statusync/queue';
import { Redis } from 'ioredis';
import { E2E, queuePrefixFor } from '../../support/test-env';
import { mediumConfig, untilReady } from './medium-env';

/**
 * A LivePublisher on the real Redis under a prefix of its own, ready before the file's tests run, and a plain client
 * to read what it wrote; every key under the prefix is removed afterwards. Call at the top of a `describe`.
 */
export function livePublisherWorld(label: string, env: Record<string, string> = {}): { prefix: string; publisher: LivePublisher; redis: Redis; config: AppConfig } {
  const prefix = queuePrefixFor(label);
  const config = mediumConfig(prefix, env);
  const publisher = new LivePublisher(config);
  const redis = new Redis(E2E.redisUrl);

  // Its client connects in the background and, offline queue off, drops events until then: wait for it.
  beforeAll(async () => {
    await untilReady((publisher as unknown as { redis: Redis }).redis);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await publisher.onApplicationShutdown();
    redis.disconnect();
  });

  return { prefix, publisher, redis, config };
}
