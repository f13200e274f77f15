import { IcsFake } from '../fakes/ics-fake';
import { CALENDARS, icsFeed, withEmail } from '../support/calendar-helpers';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
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
});
