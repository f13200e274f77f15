import { SlackRequestRecord } from '../fakes/slack-fake';
import { GithubRequestRecord } from '../fakes/github-fake';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';

/**
 * Retries and give-ups, end to end: what the platform answered decides whether and when we try again, every
 * attempt is in sync_logs, and permanent failures stop at once and mark the connection for re-authorisation.
 * The backoff base is 100 ms (harness), so any wait of a second or more below was asked for by the platform.
 */
describe('retries and permanent failures', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // A short platform timeout so the `slow` case below times out quickly.
    stack = await startStack('retries', { env: { PLATFORM_TIMEOUT_MS: '1000' } });
  }, 60_000);

  afterAll(() => stack?.stop());

  // Canned failures are one global queue per fake: never leave one behind for the next test.
  afterEach(() => {
    stack.slack.reset();
    stack.github.reset();
  });

  interface LogRow {
    attempt: number;
    outcome: string;
    error_code: string | null;
    retry_after_ms: number | null;
    duration_ms: number;
    /** created_at (the attempt's transaction start) in ms since the epoch, with sub-ms precision. */
    at_ms: number;
  }

  async function syncLogs(updateId: string, platform: string): Promise<LogRow[]> {
    const { rows } = await stack.db.query(
      `SELECT attempt, outcome, error_code, retry_after_ms, duration_ms, (extract(epoch FROM created_at) * 1000)::float8 AS at_ms
       FROM sync_logs WHERE update_id = $1 AND platform = $2 ORDER BY id`,
      [updateId, platform],
    );
    return rows;
  }

  async function postUpdate(user: TestUser, body: Record<string, unknown>): Promise<string> {
    const answer = await stack.api.post('/api/v1/status/update', user.jwt, body);
    expect(answer.status).toBe(202);
    return answer.body.id;
  }

  const profileSets = (token: string): SlackRequestRecord[] => stack.slack.requests.filter((r) => r.method === 'users.profile.set' && r.token === token);
  const githubMutationRequests = (token: string): GithubRequestRecord[] =>
    stack.github.requests.filter((r) => r.token === token && r.query?.includes('changeUserStatus'));

  it('honours Slack Retry-After on a 429 although the backoff base is only 100 ms', async () => {
    const user = await newUser(stack);
    stack.slack.failNext('ratelimited', 1, { retryAfterSeconds: 1 });
    const id = await postUpdate(user, { message: 'Rate limited once', emoji: ':coffee:', platforms: ['slack'] });

    const outcome = await settled(stack, user, id);
    expect(outcome.platforms.slack).toMatchObject({ state: 'succeeded', attempts: 2, errorCode: null });
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Rate limited once');

    const logs = await syncLogs(id, 'slack');
    expect(logs.map((l) => [l.attempt, l.outcome, l.error_code, l.retry_after_ms])).toEqual([
      [1, 'retrying', 'ratelimited', 1000],
      [2, 'succeeded', null, null],
    ]);
    expect(logs[1].at_ms - logs[0].at_ms).toBeGreaterThanOrEqual(1000);

    const calls = profileSets(user.slackToken);
    expect(calls.map((c) => c.responseStatus)).toEqual([429, 200]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1000);
  });

  it('honours GitHub retry-after on a secondary rate limit (403)', async () => {
    const user = await newUser(stack);
    stack.github.failNext('secondary_403', 1, { retryAfterSeconds: 1 });
    const id = await postUpdate(user, { message: 'Secondary limit once', platforms: ['github'] });

    const outcome = await settled(stack, user, id);
    expect(outcome.platforms.github).toMatchObject({ state: 'succeeded', attempts: 2, errorCode: null });
    expect(stack.github.statusOf(user.githubLogin)?.message).toBe('Secondary limit once');

    const logs = await syncLogs(id, 'github');
    expect(logs.map((l) => [l.attempt, l.outcome, l.error_code, l.retry_after_ms])).toEqual([
      [1, 'retrying', 'http_403', 1000],
      [2, 'succeeded', null, null],
    ]);
    expect(logs[1].at_ms - logs[0].at_ms).toBeGreaterThanOrEqual(1000);
    const calls = githubMutationRequests(user.githubToken);
    expect(calls.map((c) => c.responseStatus)).toEqual([403, 200]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1000);
  });

  it('waits for the GitHub primary rate limit to reset (x-ratelimit-reset)', async () => {
    const user = await newUser(stack);
    stack.github.failNext('rate_limited', 1, { resetInSeconds: 2 });
    const id = await postUpdate(user, { message: 'Primary limit once', platforms: ['github'] });

    const outcome = await settled(stack, user, id);
    expect(outcome.platforms.github).toMatchObject({ state: 'succeeded', attempts: 2 });

    const logs = await syncLogs(id, 'github');
    expect(logs.map((l) => [l.attempt, l.outcome, l.error_code])).toEqual([
      [1, 'retrying', 'RATE_LIMITED'],
      [2, 'succeeded', null],
    ]);
    // The reset is a whole second ≥ now + 2 s, so the wait asked for is between 1 and 3 s.
    expect(logs[0].retry_after_ms).toBeGreaterThanOrEqual(1000);
    expect(logs[0].retry_after_ms).toBeLessThanOrEqual(3000);

    const calls = githubMutationRequests(user.githubToken);
    expect(calls.map((c) => c.failure)).toEqual(['rate_limited', null]);
    // x-ratelimit-reset = ceil((first + 2 s) / 1 s): the retry must not arrive before it.
    const resetAt = Math.ceil((calls[0].at + 2000) / 1000) * 1000;
    expect(calls[1].at).toBeGreaterThanOrEqual(resetAt);
  });

  it('retries a GitHub 502 with exponentially growing waits', async () => {
    const user = await newUser(stack);
    stack.github.failNext('bad_gateway', 2);
    const id = await postUpdate(user, { message: 'Two bad gateways', platforms: ['github'] });

    const outcome = await settled(stack, user, id);
    expect(outcome.platforms.github).toMatchObject({ state: 'succeeded', attempts: 3 });
    expect(stack.github.statusOf(user.githubLogin)?.message).toBe('Two bad gateways');

    const logs = await syncLogs(id, 'github');
    expect(logs.map((l) => [l.attempt, l.outcome, l.error_code, l.retry_after_ms])).toEqual([
      [1, 'retrying', 'http_502', null],
      [2, 'retrying', 'http_502', null],
      [3, 'succeeded', null, null],
    ]);
    // Base 100 ms with equal jitter: wait n is in [50·2^(n-1), 100·2^(n-1)] ms, plus queue overhead (the
    // upper bounds only show that no platform-style minute-long wait was applied to a 502).
    const firstGap = logs[1].at_ms - logs[0].at_ms;
    const secondGap = logs[2].at_ms - logs[1].at_ms;
    expect(firstGap).toBeGreaterThanOrEqual(50);
    expect(secondGap).toBeGreaterThanOrEqual(100);
    expect(firstGap).toBeLessThan(1500);
    expect(secondGap).toBeLessThan(1500);
    expect(githubMutationRequests(user.githubToken).map((c) => c.responseStatus)).toEqual([502, 502, 200]);
  });

  it('gives up after SYNC_MAX_ATTEMPTS when Slack keeps answering 500', async () => {
    const user = await newUser(stack);
    stack.slack.failNext('server_error', 10);
    const id = await postUpdate(user, { message: 'Slack is down', emoji: ':fire:' });

    const outcome = await settled(stack, user, id);
    expect(outcome.state).toBe('partially_failed');
    expect(outcome.platforms.github).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(outcome.platforms.slack).toMatchObject({ state: 'failed', attempts: 5, errorCode: 'http_500' });
    expect(outcome.platforms.slack.completedAt).not.toBeNull();

    const logs = await syncLogs(id, 'slack');
    expect(logs.map((l) => [l.attempt, l.outcome, l.error_code])).toEqual([
      [1, 'retrying', 'http_500'],
      [2, 'retrying', 'http_500'],
      [3, 'retrying', 'http_500'],
      [4, 'retrying', 'http_500'],
      [5, 'failed', 'http_500'],
    ]);
    // Exactly five calls reached Slack; five canned failures are still queued.
    expect(profileSets(user.slackToken)).toHaveLength(5);
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('');
    // A transient failure does not touch the connection.
    const configs = await stack.api.get('/api/v1/config/platforms', user.jwt);
    expect(configs.body.find((c: { platform: string }) => c.platform === 'slack')).toMatchObject({ state: 'active', reauthReason: null });
  });

  describe('permanent errors are not retried and require re-authorisation', () => {
    interface Case {
      name: string;
      platform: 'github' | 'slack';
      errorCode: string;
      /** Breaks the user's stored token on the fake. */
      breakToken(user: TestUser): void;
      /** Makes a new, working token known to the fake and returns it. */
      freshToken(user: TestUser): string;
      /** Status-setting calls the fake received with `token`. */
      calls(token: string): unknown[];
      appliedMessage(user: TestUser): string | null | undefined;
    }

    const cases: Case[] = [
      {
        name: 'Slack token revoked',
        platform: 'slack',
        errorCode: 'token_revoked',
        breakToken: (user) => stack.slack.revokeToken(user.slackToken),
        freshToken: (user) => {
          const token = `${user.slackToken}-renewed`;
          stack.slack.addToken(token, { userId: user.slackUserId });
          return token;
        },
        calls: (token) => profileSets(token),
        appliedMessage: (user) => stack.slack.profileOf(user.slackUserId).status_text,
      },
      {
        name: 'GitHub token revoked (401)',
        platform: 'github',
        errorCode: 'bad_credentials',
        breakToken: (user) => stack.github.revokeToken(user.githubToken),
        freshToken: (user) => {
          const token = `${user.githubToken}renewed`;
          stack.github.addToken(token, { login: user.githubLogin });
          return token;
        },
        calls: (token) => githubMutationRequests(token),
        appliedMessage: (user) => stack.github.statusOf(user.githubLogin)?.message,
      },
      {
        name: 'GitHub token without the user scope',
        platform: 'github',
        errorCode: 'INSUFFICIENT_SCOPES',
        breakToken: (user) => stack.github.addToken(user.githubToken, { login: user.githubLogin, scopes: [] }),
        freshToken: (user) => {
          const token = `${user.githubToken}scoped`;
          stack.github.addToken(token, { login: user.githubLogin, scopes: ['user'] });
          return token;
        },
        calls: (token) => githubMutationRequests(token),
        appliedMessage: (user) => stack.github.statusOf(user.githubLogin)?.message,
      },
    ];

    it.each(cases)('$name → failed once, reauth_required, fail-fast until reconnected', async (c) => {
      const user = await newUser(stack);
      const oldToken = c.platform === 'slack' ? user.slackToken : user.githubToken;
      c.breakToken(user);

      const first = await postUpdate(user, { message: 'Will not get through', platforms: [c.platform] });
      const firstOutcome = await settled(stack, user, first);
      expect(firstOutcome.state).toBe('failed');
      expect(firstOutcome.platforms[c.platform]).toMatchObject({ state: 'failed', attempts: 1, errorCode: c.errorCode });
      expect(c.calls(oldToken)).toHaveLength(1);
      expect((await syncLogs(first, c.platform)).map((l) => [l.attempt, l.outcome, l.error_code])).toEqual([[1, 'failed', c.errorCode]]);

      const { rows } = await stack.db.query(
        `SELECT pc.state, pc.reauth_reason FROM platform_configs pc JOIN users u ON u.id = pc.user_id WHERE u.subject = $1 AND pc.platform = $2`,
        [user.subject, c.platform],
      );
      expect(rows).toEqual([{ state: 'reauth_required', reauth_reason: expect.stringContaining(c.errorCode) }]);
      const listed = await stack.api.get('/api/v1/config/platforms', user.jwt);
      expect(listed.body.find((p: { platform: string }) => p.platform === c.platform)).toMatchObject({
        state: 'reauth_required',
        reauthReason: expect.stringContaining(c.errorCode),
      });

      // Until the user reconnects, updates fail fast without calling the platform at all.
      const requestsBefore = c.platform === 'slack' ? stack.slack.requests.length : stack.github.requests.length;
      const second = await postUpdate(user, { message: 'Still broken', platforms: [c.platform] });
      const secondOutcome = await settled(stack, user, second);
      expect(secondOutcome.platforms[c.platform]).toMatchObject({ state: 'failed', attempts: 1, errorCode: 'reauth_required' });
      expect(secondOutcome.platforms[c.platform].errorMessage).toContain(c.errorCode);
      expect(c.platform === 'slack' ? stack.slack.requests.length : stack.github.requests.length).toBe(requestsBefore);
      expect(c.appliedMessage(user) || null).toBeNull();

      // Reconnecting with a working token makes the connection active again and updates flow.
      const token = c.freshToken(user);
      const reconnected = await stack.api.post('/api/v1/config/platforms', user.jwt, { platform: c.platform, token });
      expect(reconnected.status).toBe(201);
      expect(reconnected.body).toMatchObject({ platform: c.platform, state: 'active', reauthReason: null });
      const third = await postUpdate(user, { message: 'Back in business', platforms: [c.platform] });
      const thirdOutcome = await settled(stack, user, third);
      expect(thirdOutcome.platforms[c.platform]).toMatchObject({ state: 'succeeded', attempts: 1, errorCode: null });
      expect(c.appliedMessage(user)).toBe('Back in business');
      expect(c.calls(token)).toHaveLength(1);
    });
  });

  it('times out a call slower than PLATFORM_TIMEOUT_MS and retries it', async () => {
    const user = await newUser(stack);
    stack.slack.failNext('slow', 1, { delayMs: 2500 });
    const id = await postUpdate(user, { message: 'Slow Slack', emoji: ':snail:', platforms: ['slack'] });

    const outcome = await settled(stack, user, id);
    expect(outcome.platforms.slack).toMatchObject({ state: 'succeeded', attempts: 2, errorCode: null });
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Slow Slack');

    const logs = await syncLogs(id, 'slack');
    expect(logs.map((l) => [l.attempt, l.outcome, l.error_code])).toEqual([
      [1, 'retrying', 'timeout'],
      [2, 'succeeded', null],
    ]);
    // The first attempt was cut at the 1 s timeout, well before the fake's 2.5 s answer.
    expect(logs[0].duration_ms).toBeGreaterThanOrEqual(950);
    expect(logs[0].duration_ms).toBeLessThan(2000);
    const calls = stack.slack.requests.filter((r) => r.method === 'users.profile.set' && r.token === user.slackToken);
    expect(calls[0].failure).toBe('slow');
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });
});
