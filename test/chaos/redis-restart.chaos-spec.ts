import { ChaosStack } from './support/chaos-stack';
import { expectInvariants, printResult, runScenario, sentAfterRecovery, sentDuring } from './support/scenario';

/**
 * Redis goes away twice, persisted as in docker-compose.yml (append-only file, fsync every second): first a
 * clean restart (SHUTDOWN fsyncs the file, nothing is lost), then a crash (SIGKILL: the last second of writes
 * may be gone, e.g. jobs the gateway was told were added). Both times it comes back on the same port and
 * directory. Postgres is the source of truth (docs/decisions.md 3): while Redis is away the gateway still
 * records and accepts updates, and the scheduler's outbox sweep enqueues any job that never reached Redis or
 * was lost with it.
 */
describe('chaos: Redis restarts and crashes mid-stream', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await ChaosStack.start({ label: 'redis_restart' });
  }, 90_000);

  afterAll(() => stack?.stop());

  it('loses nothing, keeps the last write, and the gateway keeps answering (summary counted per delivery)', async () => {
    const result = await runScenario(stack, {
      loadMs: 28_000,
      async inject({ at, window }) {
        await at(6_000);
        await window('redis restarted', () => stack.redis.restart(3_000));
        await at(16_000);
        await window('redis crashed', () => stack.redis.crash(3_000));
      },
    });
    printResult('Redis clean restart + crash (AOF everysec, 3 s down each)', result);

    expectInvariants(result);
    // While Redis was down the update was still recorded: accepted (the outbox sweep enqueues it later) or,
    // at worst, refused with 503 + Retry-After. Never a hang (checked above) and never a 500.
    for (const name of ['redis restarted', 'redis crashed']) {
      const during = sentDuring(result, name);
      expect(during.length).toBeGreaterThan(0);
      expect(during.filter((s) => s.status !== 202 && s.status !== 503)).toEqual([]);
    }
    // Recovered by itself: everything after the restart is accepted again.
    const after = sentAfterRecovery(result, 3_000);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => s.status !== 202)).toEqual([]);
  }, 150_000);
});
