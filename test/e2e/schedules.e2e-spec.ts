import { Queue } from 'bullmq';
import { SPAN_EDGES_QUEUE, spanEdgeJobId } from '@statusync/queue';
import { DateTime } from 'luxon';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { TEMPLATES } from '../support/templates-helpers';
import { E2E } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const SCHEDULES = '/api/v1/status/schedules';
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/**
 * Scheduled statuses end to end: the API, the scheduler's span engine, the sync worker (read back before set,
 * restore after) and the platform fakes. Spans last seconds; every wait is on observable state.
 */
jest.setTimeout(60_000);

describe('scheduled statuses', () => {
  let stack: TestStack;
  let user: TestUser;
  let queue: Queue;

  beforeAll(async () => {
    stack = await startStack('schedules', { services: ['api-gateway', 'sync-worker', 'scheduler'], env: { SCHEDULE_RECONCILE_INTERVAL_MS: '1000' } });
    queue = new Queue(SPAN_EDGES_QUEUE, { connection: { url: E2E.redisUrl }, prefix: stack.queuePrefix });
  }, 90_000);

  afterAll(async () => {
    await queue?.close();
    await stack?.stop();
  });

  beforeEach(async () => {
    user = await newUser(stack);
  });

  const manual = async (who: TestUser, body: object) => {
    const answer = await stack.api.post('/api/v1/status/update', who.jwt, body);
    expect(answer.status).toBe(202);
    return settled(stack, who, answer.body.id);
  };
  const shows = (who: TestUser, emoji: string, text: string) =>
    stack.slack.profileOf(who.slackUserId).status_emoji === emoji && stack.slack.profileOf(who.slackUserId).status_text === text && stack.github.statusOf(who.githubLogin)?.message === text;

  it('sets the status on both platforms at startsAt and restores exactly the previous one (with its expiry) at endsAt', async () => {
    const expiresAt = new Date(Date.now() + 3 * 3600_000);
    expiresAt.setUTCMilliseconds(0);
    await manual(user, { emoji: ':coffee:', message: 'Coffee', expiresAt: expiresAt.toISOString() });
    const before = stack.slack.profileOf(user.slackUserId);

    const startsAt = inSeconds(3);
    const created = await stack.api.post(SCHEDULES, user.jwt, { startsAt, endsAt: inSeconds(6), status: { emoji: ':no_entry:', message: 'At the dentist', limitedAvailability: true } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), rrule: null, nextOccurrences: [{ startsAt, endsAt: expect.any(String) }] });

    await waitFor(() => shows(user, ':no_entry:', 'At the dentist'), 'the scheduled status on both platforms', 20_000);
    const setAt = Date.now();
    expect(setAt - Date.parse(startsAt)).toBeLessThan(5_000);
    expect(stack.github.statusOf(user.githubLogin)).toMatchObject({ indicatesLimitedAvailability: true });

    await waitFor(() => shows(user, ':coffee:', 'Coffee'), 'the previous status restored', 20_000);
    expect(stack.slack.profileOf(user.slackUserId)).toEqual(before);
    expect(Date.parse(stack.github.statusOf(user.githubLogin)!.expiresAt!)).toBe(expiresAt.getTime());
    const { rows } = await stack.db.query(`SELECT source, kind FROM status_updates WHERE user_id = (SELECT user_id FROM scheduled_statuses WHERE id = $1) ORDER BY seq`, [created.body.id]);
    expect(rows.map((r) => r.source)).toEqual(['manual', 'schedule', 'schedule', 'schedule']);
  });

  it('keeps a status the user set by hand during the span', async () => {
    await manual(user, { emoji: ':coffee:', message: 'Coffee' });
    const created = await stack.api.post(SCHEDULES, user.jwt, { startsAt: inSeconds(2), endsAt: inSeconds(7), status: { emoji: ':sandwich:', message: 'Lunch' } });
    expect(created.status).toBe(201);
    await waitFor(() => shows(user, ':sandwich:', 'Lunch'), 'the scheduled status', 20_000);
    await manual(user, { emoji: ':palm_tree:', message: 'Gone home' });
    const span = (await stack.db.query(`SELECT id, ends_at FROM status_spans WHERE source_id = $1`, [created.body.id])).rows[0];
    await waitFor(async () => (await stack.db.query(`SELECT 1 FROM span_edges WHERE span_id = $1 AND edge = 'end'`, [span.id])).rowCount === 1, 'the end edge', 20_000);
    const { rows } = await stack.db.query(`SELECT platform, outcome FROM span_restores WHERE shown_span_id = $1 ORDER BY platform`, [span.id]);
    expect(rows).toEqual([
      { platform: 'github', outcome: 'kept-user-status' },
      { platform: 'slack', outcome: 'kept-user-status' },
    ]);
    expect(shows(user, ':palm_tree:', 'Gone home')).toBe(true);
  });

  it('deleting a schedule cancels its future firings', async () => {
    const created = await stack.api.post(SCHEDULES, user.jwt, { startsAt: inSeconds(3), endsAt: inSeconds(5), status: { emoji: ':sandwich:', message: 'Lunch' } });
    expect({ status: created.status, body: created.body }).toMatchObject({ status: 201 });
    const span = (await stack.db.query(`SELECT id, user_id, starts_at FROM status_spans WHERE source_id = $1`, [created.body.id])).rows[0];
    expect((await stack.api.delete(`${SCHEDULES}/${created.body.id}`, user.jwt)).status).toBe(204);
    expect((await stack.api.get(`${SCHEDULES}/${created.body.id}`, user.jwt)).status).toBe(404);
    const jobId = spanEdgeJobId({ spanId: span.id, edge: 'start', at: span.starts_at.getTime() });
    const job = await waitFor(async () => {
      const found = await queue.getJob(jobId);
      return found && (await found.getState()) === 'completed' && found;
    }, 'the start job to run', 20_000);
    expect(job.returnvalue).toBe('cancelled');
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM status_updates WHERE user_id = $1`, [span.user_id]);
    expect(rows[0].n).toBe(0);
  });

  it('repeats in the user\'s zone, lists, previews occurrences and reads one schedule', async () => {
    const created = await stack.api.post(SCHEDULES, user.jwt, {
      startsAt: '2027-03-22T11:00:00Z',
      endsAt: '2027-03-22T12:00:00Z',
      rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
      timeZone: 'Europe/Berlin',
      status: { emoji: ':sandwich:', message: 'Lunch' },
    });
    expect(created.status).toBe(201);
    expect(created.body.nextOccurrences).toHaveLength(5);
    const preview = await stack.api.get(`${SCHEDULES}/${created.body.id}/occurrences?from=2027-03-25T00:00:00Z&to=2027-03-31T00:00:00Z`, user.jwt);
    expect(preview.status).toBe(200);
    expect(preview.body.occurrences.map((o: { startsAt: string }) => o.startsAt)).toEqual([
      '2027-03-25T11:00:00.000Z',
      '2027-03-26T11:00:00.000Z',
      '2027-03-29T10:00:00.000Z',
      '2027-03-30T10:00:00.000Z',
    ]);
    // And back at the end of October: 12:00 Berlin is 10:00Z in summer time, 11:00Z after the change.
    const autumn = await stack.api.get(`${SCHEDULES}/${created.body.id}/occurrences?from=2027-10-28T00:00:00Z&to=2027-11-02T00:00:00Z`, user.jwt);
    expect(autumn.body.occurrences).toEqual([
      { startsAt: '2027-10-28T10:00:00.000Z', endsAt: '2027-10-28T11:00:00.000Z' },
      { startsAt: '2027-10-29T10:00:00.000Z', endsAt: '2027-10-29T11:00:00.000Z' },
      { startsAt: '2027-11-01T11:00:00.000Z', endsAt: '2027-11-01T12:00:00.000Z' },
    ]);
    expect((await stack.api.get(`${SCHEDULES}/${created.body.id}`, user.jwt)).body).toEqual(created.body);
    expect((await stack.api.get(SCHEDULES, user.jwt)).body.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
  });

  it('fills a template\'s {until} and {duration} per occurrence (its end in the schedule\'s zone, its length)', async () => {
    const template = await stack.api.post(TEMPLATES, user.jwt, { name: 'Lunch break', emoji: ':sandwich:', message: 'Lunch until {until} ({duration})', durationMinutes: 60 });
    expect(template.status).toBe(201);
    const startsAt = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000);
    const endsAt = new Date(startsAt.getTime() + 90 * 60_000);
    const created = await stack.api.post(SCHEDULES, user.jwt, {
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      timeZone: 'Asia/Kolkata',
      templateId: template.body.id,
    });
    expect(created.status).toBe(201);
    // The schedule keeps the template's text; each occurrence shows its own values.
    expect(created.body.status.message).toBe('Lunch until {until} ({duration})');
    const expected = `Lunch until ${DateTime.fromJSDate(endsAt, { zone: 'Asia/Kolkata' }).toFormat('HH:mm')} (1 h 30 min)`;
    await waitFor(() => shows(user, ':sandwich:', expected), 'the resolved message on both platforms', 20_000);
    const { rows } = await stack.db.query(
      `SELECT u.message, u.source FROM status_updates u JOIN users p ON p.id = u.user_id WHERE p.subject = $1 AND u.source = 'schedule'`,
      [user.subject],
    );
    expect(rows).toEqual([{ message: expected, source: 'schedule' }]);
    // Without an end there is nothing to fill in; too long once filled in does not fit GitHub.
    const noEnd = await stack.api.post(SCHEDULES, user.jwt, { startsAt: inSeconds(600), templateId: template.body.id });
    expect({ status: noEnd.status, field: noEnd.body.errors?.[0]?.field }).toEqual({ status: 400, field: 'endsAt' });
    const long = await stack.api.post(SCHEDULES, user.jwt, { startsAt: inSeconds(600), endsAt: inSeconds(4200), status: { message: `${'x'.repeat(70)} {duration}` } });
    expect({ status: long.status, field: long.body.errors?.[0]?.field }).toEqual({ status: 400, field: 'status.message' });
  });

  it('refuses bad input with 400 naming the field, unknown ids with 404, and changes nothing', async () => {
    const fingerprint = async () => JSON.stringify((await stack.db.query(`SELECT (SELECT count(*) FROM scheduled_statuses) a, (SELECT count(*) FROM status_spans) b`)).rows);
    const before = await fingerprint();
    const status = { emoji: ':sandwich:', message: 'Lunch' };
    const cases: [object, string][] = [
      [{ startsAt: inSeconds(60), endsAt: inSeconds(120), status, rrule: 'FREQ=SOMETIMES' }, 'rrule'],
      [{ startsAt: inSeconds(60), endsAt: inSeconds(120), status, rrule: 'FREQ=DAILY;FOO=1' }, 'rrule'],
      [{ startsAt: inSeconds(60), endsAt: inSeconds(120), status, rrule: 'FREQ=MINUTELY' }, 'rrule'],
      [{ startsAt: inSeconds(60), status, rrule: 'FREQ=DAILY' }, 'endsAt'],
      [{ startsAt: inSeconds(60), endsAt: inSeconds(120), status, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ startsAt: inSeconds(60), endsAt: inSeconds(30), status }, 'endsAt'],
      [{ startsAt: inSeconds(-3600), endsAt: inSeconds(60), status }, 'startsAt'],
      [{ startsAt: 'tomorrow', status }, 'startsAt'],
      [{ startsAt: inSeconds(60) }, 'status'],
      [{ startsAt: inSeconds(60), status, templateId: '5b1f8a52-7c3e-4d8e-9f0a-1b2c3d4e5f60' }, 'status'],
      [{ startsAt: inSeconds(60), templateId: '5b1f8a52-7c3e-4d8e-9f0a-1b2c3d4e5f60' }, 'templateId'],
      [{ startsAt: inSeconds(60), status: { emoji: ':sandwich:', platforms: ['myspace'] } }, 'status.platforms'],
    ];
    for (const [body, field] of cases) {
      const answer = await stack.api.post(SCHEDULES, user.jwt, body);
      expect({ status: answer.status, fields: answer.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ status: 400, fields: expect.arrayContaining([field]) });
    }
    const unknown = '5b1f8a52-7c3e-4d8e-9f0a-1b2c3d4e5f60';
    expect((await stack.api.get(`${SCHEDULES}/${unknown}`, user.jwt)).status).toBe(404);
    expect((await stack.api.delete(`${SCHEDULES}/${unknown}`, user.jwt)).status).toBe(404);
    expect((await stack.api.get(`${SCHEDULES}/${unknown}/occurrences`, user.jwt)).status).toBe(404);
    expect((await stack.api.get(`${SCHEDULES}/not-a-uuid`, user.jwt)).status).toBe(400);
    const other = await newUser(stack, []);
    const mine = await stack.api.post(SCHEDULES, user.jwt, { startsAt: inSeconds(3600), endsAt: inSeconds(7200), status });
    const afterMine = await fingerprint();
    expect((await stack.api.get(`${SCHEDULES}/${mine.body.id}`, other.jwt)).status).toBe(404);
    expect((await stack.api.delete(`${SCHEDULES}/${mine.body.id}`, other.jwt)).status).toBe(404);
    const window = await stack.api.get(`${SCHEDULES}/${mine.body.id}/occurrences?from=2027-01-01T00:00:00Z&to=2029-01-01T00:00:00Z`, user.jwt);
    expect(window.status).toBe(400);
    expect(window.body.errors[0].field).toBe('to');
    expect(afterMine).not.toBe(before);
    expect(await fingerprint()).toBe(afterMine);
  });
});
