import { ChaosStack } from './support/chaos-stack';
import { startCluster, stopCluster } from './support/private-postgres';
import { sleep } from './support/load-driver';
import { expectInvariants, printResult, runScenario, sentAfterRecovery, sentDuring } from './support/scenario';

/**
 * Postgres (the run's private cluster) is stopped with a fast shutdown, which cuts every connection, and started
 * again a few seconds later. The gateway cannot record anything meanwhile, so it must say so quickly: 503 with
 * Retry-After, not a 500 and not a hang. The services reconnect by themselves; jobs that failed while the
 * database was away are revived by the outbox sweep.
 */
describe('chaos: Postgres restarts mid-stream', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await ChaosStack.start({ label: 'postgres_restart' });
  }, 90_000);

  afterAll(async () => {
    // A failed test must not leave the cluster down for the scenarios after it.
    await startCluster(stack.cluster).catch(() => undefined);
    await stack?.stop();
  });

  it('answers 503 + Retry-After while it is down, recovers by itself, loses nothing (summary counted per delivery)', async () => {
    const result = await runScenario(stack, {
      loadMs: 24_000,
      async inject({ at, window }) {
        await at(8_000);
        await window('postgres down', async () => {
          await stopCluster(stack.cluster);
          await sleep(4_000);
          await startCluster(stack.cluster);
        });
      },
    });
    printResult('Postgres restart (fast shutdown, 4 s down)', result);

    expectInvariants(result);
    const during = sentDuring(result, 'postgres down');
    const refused = during.filter((s) => s.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((s) => s.retryAfter === null)).toEqual([]);
    // Recovered by itself (no service was restarted): everything a few seconds later is accepted again.
    const after = sentAfterRecovery(result, 3_000);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => s.status !== 202)).toEqual([]);
  }, 150_000);
});
