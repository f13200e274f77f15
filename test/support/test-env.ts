import { randomBytes } from 'node:crypto';

/** Shared by every e2e file of one run; global-setup creates the schema and global-teardown removes it. */
export const E2E = {
  get schema(): string {
    const schema = process.env.E2E_SCHEMA;
    if (!schema) throw new Error('E2E_SCHEMA is not set: run e2e tests through jest (global-setup creates it)');
    return schema;
  },
  get runId(): string {
    return process.env.E2E_RUN_ID ?? 'local';
  },
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  jwtSecret: 'e2e-jwt-secret-that-is-long-enough-0123456789',
  /** One key per run; tests that need to decrypt or compare use it too. */
  get encryptionKey(): string {
    process.env.E2E_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
    return process.env.E2E_ENCRYPTION_KEY;
  },
};

/** A Redis prefix of its own for one test file, so no two stacks ever share queues. */
export const queuePrefixFor = (label: string) => `e2e-${E2E.runId}-${label}-${randomBytes(3).toString('hex')}`;
