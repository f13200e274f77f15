import { AppConfig, loadConfig } from '@statusync/core';
import { LivePublisher } from '@statusync/queue';
import { Redis } from 'ioredis';
import { E2E, queuePrefixFor } from '../../support/test-env';

/**
 * A LivePublisher on the real Redis under a prefix of its own, ready before the file's tests run, and a plain client
 * to read what it wrote; every key under the prefix is removed afterwards. Call at the top of a `describe`.
 */
export function livePublisherWorld(label: string, env: Record<string, string> = {}): { prefix: string; publisher: LivePublisher; redis: Redis; config: AppConfig } {
  const prefix = queuePrefixFor(label);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: E2E.databaseUrl, REDIS_URL: E2E.redisUrl, QUEUE_PREFIX: prefix, JWT_SECRET: E2E.jwtSecret, TOKEN_ENCRYPTION_KEY: E2E.encryptionKey, ...env });
  const publisher = new LivePublisher(config);
  const redis = new Redis(E2E.redisUrl);

  // Its client connects in the background and, offline queue off, drops events until then: wait for it.
  beforeAll(async () => {
    const client = (publisher as unknown as { redis: Redis }).redis;
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await publisher.onApplicationShutdown();
    redis.disconnect();
  });

  return { prefix, publisher, redis, config };
}
