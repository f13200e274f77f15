import { liveStreamKey } from '@statusync/queue';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ServiceProcess } from '../support/services';
import { newUser, settled, startStack, TestStack, TestUser, userIdOf } from '../support/stack';
import { E2E } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * Workers come and go: SIGTERM lets the job in flight finish, SIGKILL leaves it to stalled-job recovery, and
 * the scheduler's outbox sweep revives deliveries whose job was lost. The stack has only the gateway; each
 * test starts (and stops) the workers it needs.
 */
describe('worker lifecycle', () => {
  let stack: TestStack;
  const queues: Record<'github' | 'slack', Queue> = {} as never;
  let running: ServiceProcess[] = [];
  const liveRedis = new Redis(E2E.redisUrl);

  beforeAll(async () => {
    stack = await startStack('lifecycle', { ownSchema: true, services: ['api-gateway'] });
    for (const platform of ['github', 'slack'] as const) {
      queues[platform] = new Queue(`status-sync-${platform}`, { connection: { url: E2E.redisUrl }, prefix: stack.queuePrefix });
    }
  }, 60_000);

  afterEach(async () => {
    // Whatever a test left running (a failed assertion skips its own stop) must not leak into the next.
    await Promise.all(running.map((service) => service.kill()));
    running = [];
    stack.slack.reset();
    stack.github.reset();
  });

  afterAll(async () => {
    await Promise.all(Object.values(queues).map((queue) => queue?.close()));
    liveRedis.disconnect();
    await stack?.stop();
  });

  /**
   * Every worker here checks for stalled jobs each second: BullMQ lets one check per queue run per interval
   * (a `stalled-check` key that expires after the interval of whichever worker checked last), so a single
   * worker with the 30 s default would delay the crash-recovery test by up to 30 s.
   */
  const WORKER_ENV = { SYNC_STALLED_INTERVAL_MS: '1000' };

  async function start(name: 'sync-worker' | 'scheduler', env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await stack.startService(name, name === 'sync-worker' ? { ...WORKER_ENV, ...env } : env);
    running.push(service);
    return service;
  }

  async function postUpdate(user: TestUser, body: Record<string, unknown>): Promise<string> {
    const answer = await stack.api.post('/api/v1/status/update', user.jwt, body);
    expect(answer.status).toBe(202);
    return answer.body.id;
  }

  const jobState = async (platform: 'github' | 'slack', updateId: string) => (await queues[platform].getJob(`${updateId}.${platform}`))?.getState();

  async function syncLogs(updateId: string, platform: string): Promise<{ attempt: number; outcome: string; error_code: string | null }[]> {
    const { rows } = await stack.db.query(`SELECT attempt, outcome, error_code FROM sync_logs WHERE update_id = $1 AND platform = $2 ORDER BY id`, [
      updateId,
      platform,
    ]);
    return rows;
  }

  it('SIGTERM lets the job in flight finish, then exits with code 0', async () => {
    const worker = await start('sync-worker');
    const user = await newUser(stack, ['slack']);
    stack.slack.setLatency(1500);
    const id = await postUpdate(user, { message: 'Finishing before shutdown', emoji: ':wave:' });
    await waitFor(async () => (await jobState('slack', id)) === 'active', 'the job to be active', 5_000, 10);
    await waitFor(() => stack.slack.inFlight === 1, 'the call to Slack to be in flight', 5_000, 10);

    const sigtermAt = Date.now();
    const exit = await worker.stop();
    const exitedAt = Date.now();

    expect(exit).toEqual({ code: 0, signal: null });
    // It waited for Slack's answer (1.5 s after the request arrived) before exiting.
    const [call] = stack.slack.requests.filter((r) => r.method === 'users.profile.set');
    expect(call.responseStatus).toBe(200);
    expect(exitedAt).toBeGreaterThanOrEqual(call.at + 1500);
    expect(exitedAt - sigtermAt).toBeGreaterThanOrEqual(1000);

    const outcome = await settled(stack, user, id, 2_000);
    expect(outcome.platforms.slack).toMatchObject({ state: 'succeeded', attempts: 1, errorCode: null });
    expect(await syncLogs(id, 'slack')).toEqual([{ attempt: 1, outcome: 'succeeded', error_code: null }]);
    expect(await jobState('slack', id)).toBe('completed');
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Finishing before shutdown');
    // Its live event went out too: the worker's Redis clients close after its jobs, not before them.
    const events = (await liveRedis.xrange(liveStreamKey(stack.queuePrefix, 'user', await userIdOf(stack, user)), '-', '+')).map(([, fields]) => JSON.parse(fields[1]));
    expect(events).toContainEqual(expect.objectContaining({ type: 'delivery', updateId: id, platform: 'slack', state: 'succeeded' }));
    expect(worker.logs()).not.toContain('live event not published');
    // The last words of a graceful shutdown reach the log file.
    expect(worker.logs()).toContain('workers closed; in-flight jobs finished');
  }, 20_000);

  it('a shutdown that overruns SHUTDOWN_TIMEOUT_SECONDS exits with code 1 saying so; its job is taken over, not lost', async () => {
    const first = await start('sync-worker', { SHUTDOWN_TIMEOUT_SECONDS: '1', PLATFORM_TIMEOUT_MS: '6000' });
    const user = await newUser(stack, ['slack']);
    stack.slack.setLatency(5000);
    const id = await postUpdate(user, { message: 'Outlives the deadline', emoji: ':hourglass:' });
    await waitFor(() => stack.slack.inFlight === 1, 'the call to Slack to be in flight', 5_000, 10);

    const sigtermAt = Date.now();
    const exit = await first.stop();
    // It gave up at its deadline (1 s), long before Slack's answer (5 s), instead of waiting for a SIGKILL.
    expect(exit).toEqual({ code: 1, signal: null });
    expect(Date.now() - sigtermAt).toBeLessThan(4_000);
    expect(first.logs()).toContain('graceful shutdown did not finish within SHUTDOWN_TIMEOUT_SECONDS');
    expect(first.logs()).not.toContain('workers closed; in-flight jobs finished');
    stack.slack.setLatency(0);

    await start('sync-worker');
    const outcome = await settled(stack, user, id, 15_000);
    expect(outcome.platforms.slack).toMatchObject({ state: 'succeeded', errorCode: null });
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Outlives the deadline');
  }, 30_000);

  it('a SIGKILLed worker’s job is recovered as stalled by the next worker and recorded once', async () => {
    const env = { SYNC_STALLED_INTERVAL_MS: '1000' };
    const first = await start('sync-worker', env);
    const user = await newUser(stack, ['slack']);
    stack.slack.setLatency(2000);
    const id = await postUpdate(user, { message: 'Survives a crash', emoji: ':skull:' });
    await waitFor(async () => (await jobState('slack', id)) === 'active', 'the job to be active', 5_000, 10);
    await waitFor(() => stack.slack.inFlight === 1, 'the call to Slack to be in flight', 5_000, 10);

    await first.kill();
    const killedAt = Date.now();
    stack.slack.setLatency(0);
    // Nothing was recorded by the killed worker: it held a lease, not a transaction, and never settled.
    expect(await syncLogs(id, 'slack')).toEqual([]);
    expect(await jobState('slack', id)).toBe('active');

    await start('sync-worker', env);
    const outcome = await settled(stack, user, id, 10_000);
    expect(outcome.platforms.slack).toMatchObject({ state: 'succeeded', errorCode: null });
    expect(await syncLogs(id, 'slack')).toEqual([{ attempt: 1, outcome: 'succeeded', error_code: null }]);
    // Taken over by stalled-job recovery: stalled once, one attempt made. It was started more than twice: the new
    // worker found the killed one's lease still running and looked again (uncounted) until it ran out.
    const job = (await queues.slack.getJob(`${id}.slack`))!;
    expect(await job.getState()).toBe('completed');
    expect({ stalledCounter: job.stalledCounter, attemptsMade: job.attemptsMade }).toEqual({ stalledCounter: 1, attemptsMade: 1 });
    expect(job.attemptsStarted).toBeGreaterThanOrEqual(2);
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Survives a crash');
    // The new worker called Slack once more (the killed worker's call may land too: at least once on the wire).
    const calls = stack.slack.requests.filter((r) => r.method === 'users.profile.set' && r.token === user.slackToken && r.at > killedAt);
    expect(calls.map((c) => c.responseStatus)).toEqual([200]);
  }, 20_000);

  describe('outbox sweep', () => {
    it('enqueues again a delivery whose job never reached Redis', async () => {
      const user = await newUser(stack);
      const id = await postUpdate(user, { message: 'Lost and found', emoji: ':mag:' });
      // Simulate a lost enqueue: the jobs vanish from Redis, the deliveries stay pending.
      for (const platform of ['github', 'slack'] as const) {
        expect(await queues[platform].remove(`${id}.${platform}`)).toBe(1);
        expect(await queues[platform].getJob(`${id}.${platform}`)).toBeUndefined();
      }
      const pending = await stack.db.query(`SELECT platform, state FROM status_deliveries WHERE update_id = $1 ORDER BY platform`, [id]);
      expect(pending.rows).toEqual([
        { platform: 'github', state: 'pending' },
        { platform: 'slack', state: 'pending' },
      ]);

      await Promise.all([start('scheduler', { OUTBOX_SWEEP_INTERVAL_MS: '300', OUTBOX_SWEEP_AGE_MS: '0' }), start('sync-worker')]);
      const outcome = await settled(stack, user, id, 10_000);
      expect(outcome.state).toBe('succeeded');
      expect(outcome.platforms.github).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(outcome.platforms.slack).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(stack.github.statusOf(user.githubLogin)?.message).toBe('Lost and found');
      expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Lost and found');
      expect(stack.github.mutations(user.githubLogin)).toHaveLength(1);
      expect(stack.slack.profileWrites(user.slackUserId)).toHaveLength(1);
    }, 20_000);

    it('retries a job that failed in BullMQ while its delivery is still pending', async () => {
      const [scheduler] = await Promise.all([start('scheduler', { OUTBOX_SWEEP_INTERVAL_MS: '300', OUTBOX_SWEEP_AGE_MS: '0' }), start('sync-worker')]);
      const user = await newUser(stack, ['github']);
      stack.github.failNext('bad_gateway', 5);
      const id = await postUpdate(user, { message: 'Second chance' });
      const failed = await settled(stack, user, id, 10_000);
      expect(failed.platforms.github).toMatchObject({ state: 'failed', attempts: 5, errorCode: 'http_502' });
      expect(await jobState('github', id)).toBe('failed');

      // The job failed but the delivery is pending, as when the outcome could not be recorded.
      await stack.db.query(`UPDATE status_deliveries SET state = 'pending', completed_at = NULL WHERE update_id = $1 AND platform = 'github'`, [id]);
      const outcome = await settled(stack, user, id, 10_000);
      expect(outcome.platforms.github).toMatchObject({ state: 'succeeded', errorCode: null });
      expect((await syncLogs(id, 'github')).map((l) => l.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'retrying', 'failed', 'succeeded']);
      expect(stack.github.statusOf(user.githubLogin)?.message).toBe('Second chance');
      expect(await jobState('github', id)).toBe('completed');
      await waitFor(() => scheduler.logs().includes('re-enqueued pending deliveries that had no live job'), 'the sweep to log what it revived', 2_000);
    }, 20_000);
  });
});
