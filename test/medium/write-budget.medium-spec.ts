import { Redis } from 'ioredis';
import { WriteBudget } from '../../apps/sync-worker/src/sync/write-budget';
import { freePort } from '../support/free-port';
import { E2E, queuePrefixFor } from '../support/test-env';
import { mediumConfig, untilReady } from './support/medium-env';

/**
 * Middle tier (real Redis): the worker's per-user write budget, spent before each platform call so that Slack's 10
 * profile writes a minute per user are waited for, not learned from a 429 (issue 10). Shared by every replica through
 * Redis; best effort when Redis cannot answer.
 */
describe('WriteBudget (per user and platform, shared through Redis)', () => {
  const prefix = queuePrefixFor('write-budget');
  const budgets: WriteBudget[] = [];
  /** One worker replica's budget (closed after the file). */
  const replica = (env: Record<string, string> = {}) => {
    const budget = new WriteBudget(mediumConfig(prefix, { SYNC_SLACK_WRITES_PER_MINUTE: '10', SYNC_GITHUB_WRITES_PER_MINUTE: '0', ...env }));
    budgets.push(budget);
    return budget;
  };
  const redis = new Redis(E2E.redisUrl);

  // Until its client is ready, a take goes ahead unbudgeted.
  const ready = async (budget: WriteBudget) => {
    await untilReady((budget as unknown as { redis: Redis }).redis);
    return budget;
  };

  afterAll(async () => {
    await Promise.all(budgets.map((budget) => budget.onApplicationShutdown()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('lets a user make 10 Slack writes a minute, then says how long to wait; other users and GitHub are not held', async () => {
    const budget = await ready(replica());
    const first10 = [];
    for (let i = 0; i < 10; i++) first10.push(await budget.take('user-a', 'slack'));
    expect(first10).toEqual(Array(10).fill(0));

    const wait = await budget.take('user-a', 'slack');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60_000);

    expect(await budget.take('user-b', 'slack')).toBe(0);
    for (let i = 0; i < 20; i++) expect(await budget.take('user-a', 'github')).toBe(0);
  });

  it('is one budget for every replica: a second worker sees the writes the first spent', async () => {
    const [one, two] = await Promise.all([ready(replica()), ready(replica())]);
    for (let i = 0; i < 5; i++) {
      expect(await one.take('user-c', 'slack')).toBe(0);
      expect(await two.take('user-c', 'slack')).toBe(0);
    }
    expect(await two.take('user-c', 'slack')).toBeGreaterThan(0);
    expect(await one.take('user-c', 'slack')).toBeGreaterThan(0);
  });

  it('lets the call go ahead while Redis cannot answer (the platform’s own 429 still holds it back)', async () => {
    const unreachable = replica({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(await unreachable.take('user-d', 'slack')).toBe(0);
  });
});
