import { LogLevel, WebClient } from '@slack/web-api';
import { Queue } from 'bullmq';
import { IcsFake } from '../fakes/ics-fake';
import { CALENDARS, icsFeed, withEmail } from '../support/calendar-helpers';
import { newUser, registerTestUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/** Whole seconds `ms` from now: iCalendar times have no milliseconds. */
const secondsFromNow = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

/**
 * A calendar drives the status (issue 9): the poller reads the feed, the span engine in the scheduler sets the
 * meeting status at its start on every platform and, at its end, restores exactly what was there before.
 */
describe('calendar meetings set and restore the status', () => {
  let stack: TestStack;
  let ics: IcsFake;
  let ada: TestUser;

  beforeAll(async () => {
    ics = await IcsFake.start();
    stack = await startStack('meetings', {
      services: ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'],
      env: { ALLOW_PRIVATE_URLS: 'true', CALENDAR_POLL_INTERVAL_MS: '2000', SCHEDULE_RECONCILE_INTERVAL_MS: '1000' },
    });
    ada = withEmail(await newUser(stack));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await ics?.close();
  });

  const shows = (message: string) => () =>
    stack.github.statusOf(ada.githubLogin)?.message === message && stack.slack.profileOf(ada.slackUserId)?.status_text === message;

  it('shows "In a meeting" on both platforms during the meeting, title hidden, then the previous status again', async () => {
    const before = await stack.api.post('/api/v1/status/update', ada.jwt, { emoji: ':coffee:', message: 'Coffee then code', durationMinutes: 120 });
    expect((await settled(stack, ada, before.body.id)).state).toBe('succeeded');
    const previousSlack = { ...stack.slack.profileOf(ada.slackUserId) };
    const previousGithubExpiry = stack.github.statusOf(ada.githubLogin)?.expiresAt;

    const start = secondsFromNow(8_000);
    const end = new Date(start.getTime() + 8_000);
    const url = ics.serve('/ical/meetings.ics', icsFeed([{ uid: 'sync-1', start, end, summary: 'Secret project sync' }]));
    expect((await stack.api.post(CALENDARS, ada.jwt, { type: 'ics', url })).status).toBe(201);

    await waitFor(shows('In a meeting'), 'the meeting status on both platforms', 30_000, 100);
    const startedLate = Date.now() - start.getTime();
    expect(startedLate).toBeLessThan(30_000);
    expect(stack.slack.profileOf(ada.slackUserId)).toMatchObject({ status_emoji: ':spiral_calendar_pad:', status_expiration: Math.floor(end.getTime() / 1000) });
    expect(JSON.stringify(stack.github.statusOf(ada.githubLogin))).not.toContain('Secret project');

    await waitFor(shows('Coffee then code'), 'the previous status back on both platforms', 30_000, 100);
    expect(Date.now() - end.getTime()).toBeLessThan(30_000);
    expect(stack.slack.profileOf(ada.slackUserId)).toEqual(previousSlack);
    expect(stack.github.statusOf(ada.githubLogin)?.expiresAt).toBe(previousGithubExpiry);

    const { rows } = await stack.db.query(
      `SELECT u.source, count(*)::int AS n FROM status_updates u JOIN users p ON p.id = u.user_id WHERE p.subject = $1 GROUP BY u.source ORDER BY u.source`,
      [ada.subject],
    );
    // One manual update; the meeting's set and its restore (one per platform) came from the calendar.
    expect(rows[0]).toEqual({ source: 'calendar', n: expect.any(Number) });
    expect(rows[1]).toEqual({ source: 'manual', n: 1 });
  }, 90_000);

  describe('focus time with the focusDnd rule snoozes Slack notifications (opt-in)', () => {
    const focusFeed = (path: string, start: Date, end: Date) => ics.serve(path, icsFeed([{ uid: `${path}-focus`, start, end, summary: 'Focus time' }]));
    const dndCalls = (user: TestUser, method: string) => stack.slack.requests.filter((r) => r.userId === user.slackUserId && r.method === method);
    /** A user whose Slack token also has dnd:write (the fake's tokens have only the profile scopes by default). */
    const dndUser = async () => {
      const user = withEmail(await newUser(stack));
      stack.slack.addToken(user.slackToken, { userId: user.slackUserId, scopes: ['users.profile:write', 'users.profile:read', 'dnd:write'] });
      return user;
    };
    const slackAs = (user: TestUser) => new WebClient(user.slackToken, { slackApiUrl: stack.slack.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });

    it('snoozes for the block\'s remaining minutes at its start and ends the snooze at its end', async () => {
      const user = await dndUser();
      const start = secondsFromNow(8_000);
      const end = new Date(start.getTime() + 8_000);
      const url = focusFeed(`/ical/focus-${user.slackUserId}.ics`, start, end);
      expect((await stack.api.post(CALENDARS, user.jwt, { type: 'ics', url, rules: { focusDnd: true } })).status).toBe(201);

      await waitFor(() => stack.slack.snoozeEndOf(user.slackUserId) > 0, 'Slack snoozed during focus time', 30_000, 100);
      expect(Date.now()).toBeLessThan(end.getTime());
      // The status and the snooze are separate jobs: either may land first.
      await waitFor(() => stack.slack.profileOf(user.slackUserId)?.status_text === 'Focusing', 'the focus status', 30_000, 100);
      // Whole minutes, rounded up: 8 s left is one minute (Slack takes minutes only).
      expect(dndCalls(user, 'dnd.setSnooze').map((r) => [r.params.num_minutes, r.responseStatus])).toEqual([['1', 200]]);

      await waitFor(() => stack.slack.snoozeEndOf(user.slackUserId) === 0, 'the snooze ended with the focus block', 30_000, 100);
      // Ended by us (the snooze itself would have run for a whole minute).
      expect(Date.now()).toBeLessThan(start.getTime() + 60_000);
      expect(dndCalls(user, 'dnd.endSnooze').map((r) => (r.responseBody as { ok: boolean }).ok)).toEqual([true]);
    }, 90_000);

    it('a snooze the user ended early is fine: endSnooze answers snooze_not_active and nothing fails', async () => {
      const user = await dndUser();
      const start = secondsFromNow(8_000);
      const end = new Date(start.getTime() + 8_000);
      const url = focusFeed(`/ical/focus-${user.slackUserId}.ics`, start, end);
      expect((await stack.api.post(CALENDARS, user.jwt, { type: 'ics', url, rules: { focusDnd: true } })).status).toBe(201);
      await waitFor(() => stack.slack.snoozeEndOf(user.slackUserId) > 0, 'Slack snoozed during focus time', 30_000, 100);
      await slackAs(user).dnd.endSnooze();

      await waitFor(() => dndCalls(user, 'dnd.endSnooze').length === 2, 'our endSnooze after the user\'s', 30_000, 100);
      expect(dndCalls(user, 'dnd.endSnooze').map((r) => (r.responseBody as { ok: boolean; error?: string }).error ?? 'ok')).toEqual(['ok', 'snooze_not_active']);
      // The focus status itself is restored as usual.
      await waitFor(() => stack.slack.profileOf(user.slackUserId)?.status_text === '', 'the status cleared after focus time', 30_000, 100);
      expect(dndCalls(user, 'dnd.setSnooze')).toHaveLength(1);
    }, 90_000);

    it('without the rule nothing is snoozed; a token without dnd:write gets its status and no snooze', async () => {
      const off = await dndUser();
      const noScope = withEmail(registerTestUser(stack, `ns${Date.now().toString(36)}`));
      stack.slack.addToken(noScope.slackToken, { userId: noScope.slackUserId, scopes: ['users.profile:write', 'users.profile:read'] });
      expect((await stack.api.post('/api/v1/config/platforms', noScope.jwt, { platform: 'slack', token: noScope.slackToken })).status).toBe(201);
      const start = secondsFromNow(8_000);
      const end = new Date(start.getTime() + 6_000);
      expect((await stack.api.post(CALENDARS, off.jwt, { type: 'ics', url: focusFeed(`/ical/off-${off.slackUserId}.ics`, start, end) })).status).toBe(201);
      expect(
        (await stack.api.post(CALENDARS, noScope.jwt, { type: 'ics', url: focusFeed(`/ical/ns-${noScope.slackUserId}.ics`, start, end), rules: { focusDnd: true } })).status,
      ).toBe(201);

      await waitFor(() => dndCalls(noScope, 'dnd.setSnooze').length > 0, 'the snooze attempt with the narrow token', 30_000, 100);
      expect(dndCalls(noScope, 'dnd.setSnooze').map((r) => (r.responseBody as { error?: string }).error)).toEqual(['missing_scope']);
      const focusWrites = (user: TestUser) => stack.slack.profileWrites(user.slackUserId).map((w) => w.profile?.status_text);
      for (const user of [off, noScope]) {
        await waitFor(() => focusWrites(user).length === 2, 'the focus status and its restore', 30_000, 100);
        expect(focusWrites(user)).toEqual(['Focusing', '']);
        expect(stack.slack.snoozeEndOf(user.slackUserId)).toBe(0);
      }
      // A permanent refusal is not retried; the failed job says what to do.
      expect(dndCalls(noScope, 'dnd.setSnooze')).toHaveLength(1);
      const { rows } = await stack.db.query(
        `SELECT s.id FROM status_spans s JOIN users u ON u.id = s.user_id WHERE u.subject = $1 AND s.slack_dnd`,
        [noScope.subject],
      );
      const queue = new Queue('status-sync-slack', { connection: { url: E2E.redisUrl }, prefix: stack.queuePrefix });
      try {
        const failed = await waitFor(async () => ((await queue.getJob(`dnd.${rows[0].id}.snooze`))?.failedReason ? queue.getJob(`dnd.${rows[0].id}.snooze`) : undefined), 'the failed DND job', 10_000, 100);
        expect(failed!.failedReason).toMatch(/^missing_scope: the Slack connection lacks the dnd:write scope; reconnect Slack/);
        expect(failed!.attemptsMade).toBe(1);
      } finally {
        await queue.close();
      }
      expect(dndCalls(off, 'dnd.setSnooze')).toHaveLength(0);
      expect(dndCalls(off, 'dnd.endSnooze')).toHaveLength(0);
    }, 90_000);
  });
});
