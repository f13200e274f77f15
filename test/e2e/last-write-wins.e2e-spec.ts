import { Job, JobsOptions, Queue } from 'bullmq';
import { ServiceProcess } from '../support/services';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * Last write wins: whatever order jobs run in, and however late a retry comes, the platform ends with the
 * newest update and older ones are recorded as `superseded` instead of being sent.
 */
describe('last write wins', () => {
  let stack: TestStack;
  let githubQueue: Queue;

  beforeAll(async () => {
    // No worker yet: the first test arranges the queue before any job runs.
    // Slack's budget of 10 profile writes a minute per user is not what this file tests: when the worker claims each
    // of 20 rapid updates before the next arrives (nothing left to supersede), the 11th write would wait up to a
    // minute for it and outlast every wait here. test/medium/write-budget tests the budget itself.
    stack = await startStack('lww', { services: ['api-gateway'], env: { SYNC_SLACK_WRITES_PER_MINUTE: '1000' } });
    githubQueue = new Queue('status-sync-github', { connection: { url: E2E.redisUrl }, prefix: stack.queuePrefix });
  }, 60_000);

  afterAll(async () => {
    await githubQueue?.close();
    await stack?.stop();
  });

  async function postUpdate(user: TestUser, body: Record<string, unknown>): Promise<string> {
    const answer = await stack.api.post('/api/v1/status/update', user.jwt, body);
    expect(answer.status).toBe(202);
    return answer.body.id;
  }

  async function deliveryStates(updateId: string): Promise<Record<string, { state: string; attempts: number; error_code: string | null }>> {
    const { rows } = await stack.db.query(`SELECT platform, state, attempts, error_code FROM status_deliveries WHERE update_id = $1`, [updateId]);
    return Object.fromEntries(rows.map(({ platform, ...rest }) => [platform, rest]));
  }

  it('applies only the newest update when the jobs run in reverse order', async () => {
    const user = await newUser(stack);
    const a = await postUpdate(user, { message: 'Update A', emoji: ':a:', platforms: ['github'] });
    const b = await postUpdate(user, { message: 'Update B', emoji: ':b:', platforms: ['github'] });

    // Take both waiting jobs out and put them back newest first, exactly as the gateway made them.
    const taken: Job[] = [];
    for (const id of [a, b]) {
      const job = await githubQueue.getJob(`${id}.github`);
      expect(job).toBeDefined();
      expect(await job!.getState()).toBe('waiting');
      taken.push(job!);
      await job!.remove();
    }
    for (const job of [taken[1], taken[0]]) {
      await githubQueue.add(job.name, job.data, { ...(job.opts as JobsOptions), jobId: job.id });
    }
    // In the order a worker will take them.
    expect((await githubQueue.getWaiting()).map((job) => job.id)).toEqual([`${b}.github`, `${a}.github`]);

    const worker = await stack.startService('sync-worker', { SYNC_CONCURRENCY: '1' });
    try {
      const [outcomeA, outcomeB] = [await settled(stack, user, a), await settled(stack, user, b)];
      expect(outcomeB.platforms.github).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(outcomeA.platforms.github).toMatchObject({ state: 'superseded', attempts: 1, errorCode: null });
      // Superseded is final and not a failure.
      expect(outcomeA.state).toBe('succeeded');

      // B ran first and A was never sent.
      const mutations = stack.github.mutations(user.githubLogin);
      expect(mutations.map((m) => (m.variables as { input: { message: string } }).input.message)).toEqual(['Update B']);
      expect(stack.github.statusOf(user.githubLogin)).toMatchObject({ message: 'Update B', emoji: ':b:' });

      // B's claim superseded the older pending A before B's call (supersede-on-claim), so A's log comes first.
      const logs = await stack.db.query(`SELECT update_id, outcome FROM sync_logs WHERE update_id = ANY($1) ORDER BY id`, [[a, b]]);
      expect(logs.rows).toEqual([
        { update_id: a, outcome: 'superseded' },
        { update_id: b, outcome: 'succeeded' },
      ]);

      const current = await stack.api.get('/api/v1/status/current', user.jwt);
      expect(current.body.requested.id).toBe(b);
      expect(current.body.platforms.github.applied).toMatchObject({ updateId: b, message: 'Update B' });
    } finally {
      await worker.stop();
    }
  }, 30_000);

  describe('with a worker running', () => {
    let worker: ServiceProcess;

    beforeAll(async () => {
      worker = await stack.startService('sync-worker');
    }, 30_000);

    afterEach(() => stack.github.reset());

    it('does not let a late retry of an older update overwrite a newer one', async () => {
      const user = await newUser(stack);
      // Every GitHub call takes 1 s and A's first one fails: B's job finds A's lease on the user's platform
      // before A's first attempt ends, and A's retry can then only be superseded: B is the newest.
      stack.github.setLatency(1000);
      stack.github.failNext('bad_gateway', 1);
      const requestsBefore = stack.github.requests.length;
      const a = await postUpdate(user, { message: 'Older A', platforms: ['github'] });
      await waitFor(async () => (await githubQueue.getJob(`${a}.github`))?.getState().then((s) => s === 'active'), 'A to be active', 5_000, 10);
      // A holds the lease once its call is in flight; B posted before that would supersede A on A's own claim.
      await waitFor(() => stack.github.inFlight === 1, 'A\'s call to be in flight', 5_000, 10);
      const b = await postUpdate(user, { message: 'Newer B', platforms: ['github'] });
      // B's job runs, finds A's lease and waits (delayed, uncounted) for it to end.
      await waitFor(async () => (await githubQueue.getJob(`${b}.github`))?.getState().then((s) => s === 'active' || s === 'delayed'), 'B to have run', 5_000, 10);
      // Precondition of the scenario: A's first call has not been answered yet.
      expect(stack.github.requests.length).toBe(requestsBefore);

      const outcomeA = await settled(stack, user, a);
      const outcomeB = await settled(stack, user, b);
      expect(outcomeB.platforms.github).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(outcomeA.platforms.github).toMatchObject({ state: 'superseded', attempts: 2 });

      const logs = await stack.db.query(`SELECT update_id, attempt, outcome, error_code FROM sync_logs WHERE update_id = ANY($1) ORDER BY id`, [[a, b]]);
      // A's retry is superseded by its own claim (B is the newest pending one), which may come before B's call ends.
      expect(logs.rows).toEqual(
        expect.arrayContaining([
          { update_id: a, attempt: 1, outcome: 'retrying', error_code: 'http_502' },
          { update_id: b, attempt: 1, outcome: 'succeeded', error_code: null },
          { update_id: a, attempt: 2, outcome: 'superseded', error_code: null },
        ]),
      );
      expect(logs.rows[0]).toMatchObject({ update_id: a, outcome: 'retrying' });
      expect(logs.rows).toHaveLength(3);
      // GitHub saw A once (the 502) and B once; A's retry never reached it.
      const calls = stack.github.requests.slice(requestsBefore).filter((r) => r.login === user.githubLogin);
      expect(calls.map((r) => [(r.variables as { input: { message: string } }).input.message, r.responseStatus])).toEqual([
        ['Older A', 502],
        ['Newer B', 200],
      ]);
      expect(stack.github.statusOf(user.githubLogin)?.message).toBe('Newer B');
    }, 20_000);

    it('ends with the last of 20 rapid updates on both platforms', async () => {
      const user = await newUser(stack);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await postUpdate(user, { message: `Rapid ${i}`, emoji: ':zap:' }));

      for (const id of ids) await settled(stack, user, id);
      const { rows } = await stack.db.query(
        `SELECT d.update_id, d.platform, d.state, d.error_code FROM status_deliveries d WHERE d.update_id = ANY($1)`,
        [ids],
      );
      expect(rows).toHaveLength(40);
      expect(rows.filter((r) => !['succeeded', 'superseded'].includes(r.state))).toEqual([]);
      const last = ids[ids.length - 1];
      expect(await deliveryStates(last)).toEqual({
        github: { state: 'succeeded', attempts: 1, error_code: null },
        slack: { state: 'succeeded', attempts: 1, error_code: null },
      });

      expect(stack.github.statusOf(user.githubLogin)?.message).toBe('Rapid 19');
      expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Rapid 19');
      // The last call each platform received is the last update, and no update was sent twice.
      const githubMessages = stack.github.mutations(user.githubLogin).map((m) => (m.variables as { input: { message: string } }).input.message);
      const slackMessages = stack.slack.profileWrites(user.slackUserId).map((w) => w.profile?.status_text);
      for (const messages of [githubMessages, slackMessages]) {
        expect(messages.at(-1)).toBe('Rapid 19');
        expect(new Set(messages).size).toBe(messages.length);
        // Applied updates are applied in order (never an older one after a newer one).
        const numbers = messages.map((m) => Number(String(m).split(' ')[1]));
        expect([...numbers].sort((x, y) => x - y)).toEqual(numbers);
      }
      // Every update that was not sent is recorded as superseded, and vice versa, except a call we timed out on that
      // landed anyway (a late landing, seen on a loaded machine): the platform got it, we recorded a timeout, and a
      // newer update superseded it; the lease kept any newer call from landing before it (checked above: in order).
      const { rows: timedOut } = await stack.db.query(`SELECT DISTINCT update_id, platform FROM sync_logs WHERE update_id = ANY($1) AND error_code = 'timeout'`, [ids]);
      for (const [platform, messages] of [['github', githubMessages], ['slack', slackMessages]] as const) {
        const succeeded = rows.filter((r) => r.platform === platform && r.state === 'succeeded').map((r) => `Rapid ${ids.indexOf(r.update_id)}`);
        const lateLandings = timedOut.filter((r) => r.platform === platform).map((r) => `Rapid ${ids.indexOf(r.update_id)}`);
        expect(succeeded.filter((m) => !messages.includes(m))).toEqual([]);
        const sentNotApplied = messages.filter((m) => !succeeded.includes(String(m)));
        expect(sentNotApplied.filter((m) => !lateLandings.includes(String(m)))).toEqual([]);
      }

      const configs = await stack.db.query(
        `SELECT pc.platform, pc.applied_update_id FROM platform_configs pc JOIN users u ON u.id = pc.user_id WHERE u.subject = $1 ORDER BY pc.platform`,
        [user.subject],
      );
      expect(configs.rows).toEqual([
        { platform: 'github', applied_update_id: last },
        { platform: 'slack', applied_update_id: last },
      ]);
    }, 30_000);
  });
});
