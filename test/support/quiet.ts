import { Queue } from 'bullmq';
import { TestStack } from './stack';
import { E2E } from './test-env';
import { waitFor } from './wait-for';

/**
 * Waits until nothing more can reach a platform fake: no sync job waiting, delayed or running in the stack's queues
 * (the job ids live in Redis) and no call in flight at either fake. After it, a write count can only change if a
 * new job is enqueued, so a test can assert "nothing was sent again" without sleeping for a guessed while.
 */
export async function waitUntilQuiet(stack: TestStack, timeoutMs = 10_000): Promise<void> {
  const queues = ['github', 'slack'].map((platform) => new Queue(`status-sync-${platform}`, { connection: { url: E2E.redisUrl }, prefix: stack.queuePrefix }));
  try {
    await waitFor(
      async () => {
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children')));
        const queued = counts.reduce((sum, count) => sum + Object.values(count).reduce((a, b) => a + b, 0), 0);
        return queued === 0 && stack.github.inFlight === 0 && stack.slack.inFlight === 0;
      },
      'the sync queues to be empty and no platform call in flight',
      timeoutMs,
      25,
    );
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}
