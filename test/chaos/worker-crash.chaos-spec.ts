import { ChaosStack } from './support/chaos-stack';
import { sleep } from './support/load-driver';
import { expectInvariants, printResult, runScenario } from './support/scenario';

/**
 * The sync worker is SIGKILLed in the middle of the stream, with platform calls in flight, and started again.
 * Its jobs are taken over by stalled-job recovery (SYNC_STALLED_INTERVAL_MS = 1 s); the idempotent processor
 * and the platform-config row lock make each update count once and keep the newest status on each platform.
 */
describe('chaos: the sync worker is killed mid-stream', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await ChaosStack.start({ label: 'worker_crash' });
  }, 90_000);

  afterAll(() => stack?.stop());

  it('loses nothing and keeps the last write (summary counted per delivery)', async () => {
    let inFlightAtKill = 0;
    const result = await runScenario(stack, {
      loadMs: 22_000,
      async inject({ at, window }) {
        await at(8_000);
        await window('worker killed', async () => {
          // Kill while the worker is talking to a platform, so the crash interrupts real calls.
          const inFlight = () => [...stack.githubTap.records, ...stack.slackTap.records].filter((r) => r.answerOrder === null && !r.error).length;
          for (let i = 0; i < 100 && inFlight() === 0; i++) await sleep(10);
          inFlightAtKill = inFlight();
          await stack.services['sync-worker']!.kill();
          await sleep(2_000);
          await stack.startService('sync-worker');
        });
      },
    });
    printResult('worker SIGKILL + restart', result);

    expect(inFlightAtKill).toBeGreaterThan(0);
    expectInvariants(result);
    // Every request was accepted: the worker is not on the request path.
    expect(result.report.notes.answers).toEqual({ 202: result.sent.length });
  }, 150_000);
});
