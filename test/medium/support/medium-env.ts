import { AppConfig, loadConfig } from '@statusync/core';
import type { Redis } from 'ioredis';
import { E2E } from '../../support/test-env';

/** The middle tier's schema, made by its global setup. */
export const MEDIUM = {
  get schema(): string {
    const schema = process.env.MEDIUM_SCHEMA;
    if (!schema) throw new Error('MEDIUM_SCHEMA is not set: run middle-tier tests through jest (its global setup creates it)');
    return schema;
  },
};

/** A service's configuration for an in-process test: the run's Postgres (the tier's schema) and Redis, Redis keys under `prefix`, `env` on top. */
export function mediumConfig(prefix: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: E2E.databaseUrl,
    DATABASE_SCHEMA: MEDIUM.schema,
    REDIS_URL: E2E.redisUrl,
    QUEUE_PREFIX: prefix,
    JWT_SECRET: E2E.jwtSecret,
    TOKEN_ENCRYPTION_KEY: E2E.encryptionKey,
    ...env,
  });
}

/**
 * Waits until a service's own Redis client is connected: the clients that connect in the background with no offline
 * queue (live publishing, the write budget) skip their work until then.
 */
export async function untilReady(client: Redis): Promise<void> {
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
}
