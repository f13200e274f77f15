import { IcsFake } from '../fakes/ics-fake';
import { CALENDARS, calendarState, icsFeed, OWNER, utcAt, withEmail } from '../support/calendar-helpers';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { patch } from '../support/templates-helpers';
import { waitFor } from '../support/wait-for';

/** A feed with one event of each interesting kind, tomorrow (UTC), so the default 7-day windows see it. */
function officeFeed(): string {
  return icsFeed([
    { uid: 'standup', start: utcAt(1, 9), end: utcAt(1, 9, 30), summary: 'Standup', lines: [`ATTENDEE;PARTSTAT=ACCEPTED:mailto:${OWNER.toLowerCase()}`] },
    { uid: 'review', start: utcAt(1, 9, 30), end: utcAt(1, 10), summary: 'Design review' },
    { uid: 'declined', start: utcAt(1, 11), end: utcAt(1, 12), summary: 'Budget', lines: ['ATTENDEE;PARTSTAT=DECLINED:MAILTO:ada@example.COM'] },
    { uid: 'free', start: utcAt(1, 13), end: utcAt(1, 14), summary: 'Lunch', lines: ['TRANSP:TRANSPARENT'] },
    { uid: 'private', start: utcAt(1, 15), end: utcAt(1, 16), summary: 'Doctor', lines: ['CLASS:PRIVATE'] },
    { uid: 'holiday', start: utcAt(2, 0), end: utcAt(3, 0), summary: 'Holiday', allDay: true },
  ]);
}

describe('calendars: connect an ICS feed, first read, preview, polling with ETag, broken feeds', () => {
  let stack: TestStack;
  let ics: IcsFake;
  let ada: TestUser;

  const get = (path: string, user = ada) => stack.api.get(path, user.jwt);
  const connect = (url: string, user = ada, extra: Record<string, unknown> = {}) => stack.api.post(CALENDARS, user.jwt, { type: 'ics', url, ...extra });
  const settledCalendar = (id: string, state: string, user = ada) =>
    waitFor(async () => {
      const answer = await get(`${CALENDARS}/${id}`, user);
      return answer.body?.state === state ? answer.body : undefined;
    }, `calendar ${id} to be ${state}`, 20_000);

  beforeAll(async () => {
    ics = await IcsFake.start();
    stack = await startStack('calendars', {
      ownSchema: true,
      services: ['api-gateway', 'calendar-poller'],
      env: { ALLOW_PRIVATE_URLS: 'true', CALENDAR_POLL_INTERVAL_MS: '1000', CALENDAR_MAX_BYTES: '100000' },
    });
    ada = withEmail(await newUser(stack, []));
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await ics?.close();
  });

  it('connects a feed, reads it at once, stores its spans and previews it with the rules', async () => {
    const url = ics.serve('/ical/s3cret-token/basic.ics', officeFeed());
    const created = await connect(url);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'ics', state: 'pending', ownerEmail: OWNER, url: `${ics.url}/…`, lastError: null });
    expect(created.body.rules).toEqual({ includeAllDay: false, includeTitles: false, kinds: ['out_of_office', 'meeting', 'focus'], focusDnd: false });
    expect(created.text).not.toContain('s3cret-token');

    const active = await settledCalendar(created.body.id, 'active');
    expect(active.lastFetchedAt).toEqual(expect.any(String));
    expect(new Date(active.nextFetchAt).getTime()).toBeGreaterThan(new Date(active.lastFetchedAt).getTime());
    expect((await get(CALENDARS)).body.map((c: { id: string }) => c.id)).toEqual([created.body.id]);

    const spans = await waitFor(async () => {
      const { rows } = await stack.db.query(`SELECT starts_at, ends_at, kind, title FROM calendar_spans WHERE calendar_id = $1 ORDER BY starts_at`, [created.body.id]);
      return rows.length > 0 ? rows : undefined;
    }, 'spans to be stored');
    expect(spans.map((s) => [s.starts_at.toISOString(), s.ends_at.toISOString(), s.kind, s.title])).toEqual([
      [utcAt(1, 9).toISOString(), utcAt(1, 10).toISOString(), 'meeting', null],
      [utcAt(1, 15).toISOString(), utcAt(1, 16).toISOString(), 'meeting', null],
    ]);

    const from = utcAt(1, 0).toISOString();
    const to = utcAt(4, 0).toISOString();
    const preview = await get(`${CALENDARS}/${created.body.id}/preview?from=${from}&to=${to}`);
    expect(preview.status).toBe(200);
    expect(preview.body.busy.map((b: { start: string; end: string; kind: string }) => [b.start, b.end, b.kind])).toEqual([
      [utcAt(1, 9).toISOString(), utcAt(1, 10).toISOString(), 'meeting'],
      [utcAt(1, 15).toISOString(), utcAt(1, 16).toISOString(), 'meeting'],
    ]);
    expect(preview.body.busy.some((b: { titles?: string[] }) => b.titles)).toBe(false);
    const reasons = Object.fromEntries(preview.body.ignored.map((i: { start: string; reason: string }) => [i.start, i.reason]));
    expect(reasons).toMatchObject({ [utcAt(1, 11).toISOString()]: 'declined', [utcAt(1, 13).toISOString()]: 'free' });
    expect(preview.body.ignored.map((i: { reason: string }) => i.reason)).toContain('all-day');
    expect(preview.text).not.toMatch(/Standup|Doctor|Budget/);

    // Titles on: shown for ordinary events, never for the private one; all-day on: the holiday counts.
    const changed = await patch(stack, `${CALENDARS}/${created.body.id}`, ada.jwt, { rules: { includeTitles: true, includeAllDay: true } });
    expect(changed.status).toBe(200);
    expect(changed.body.rules).toMatchObject({ includeTitles: true, includeAllDay: true, kinds: ['out_of_office', 'meeting', 'focus'] });
    const titled = await get(`${CALENDARS}/${created.body.id}/preview?from=${from}&to=${to}`);
    expect(titled.body.busy.map((b: { titles?: string[] }) => b.titles ?? [])).toEqual([['Standup', 'Design review'], [], ['Holiday']]);
    expect(titled.text).not.toContain('Doctor');
    expect(titled.body.ignored.map((i: { reason: string }) => i.reason)).not.toContain('all-day');
    await waitFor(async () => {
      const { rows } = await stack.db.query(`SELECT title FROM calendar_spans WHERE calendar_id = $1 AND title IS NOT NULL`, [created.body.id]);
      return rows.some((row) => row.title.includes('Standup')) && rows.every((row) => !row.title.includes('Doctor'));
    }, 'stored spans to follow the new rules');
  }, 60_000);

  it('polls again with If-None-Match and keeps the spans on a 304', async () => {
    const path = '/ical/etag/basic.ics';
    const created = await connect(ics.serve(path, officeFeed()));
    await settledCalendar(created.body.id, 'active');
    const conditional = await waitFor(() => ics.requestsTo(path).find((r) => r.status === 304), 'a 304 to a conditional poll');
    expect(conditional.headers['if-none-match']).toMatch(/^".+"$/);
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM calendar_spans WHERE calendar_id = $1`, [created.body.id]);
    expect(rows[0].n).toBe(2);
    expect((await get(`${CALENDARS}/${created.body.id}`)).body).toMatchObject({ state: 'active', lastError: null });
  }, 60_000);

  it('marks a feed broken with a reason the user sees (404, garbage, too big), and the poller carries on', async () => {
    const cases: [string, () => string, RegExp][] = [
      ['/gone.ics', () => (ics.fail('/gone.ics', 404), `${ics.url}/gone.ics`), /404.*connect the calendar again/],
      ['/html.ics', () => ics.serve('/html.ics', '<html><body>Sign in</body></html>'), /not usable/],
      ['/huge.ics', () => ics.serve('/huge.ics', icsFeed([]).replace('END:VCALENDAR', `X-PAD:${'x'.repeat(150_000)}\r\nEND:VCALENDAR`)), /larger than 100000 bytes/],
    ];
    for (const [, serve, reason] of cases) {
      const created = await connect(serve());
      expect(created.status).toBe(201);
      const broken = await settledCalendar(created.body.id, 'broken');
      expect(broken.lastError).toMatch(reason);
      expect(broken.lastError).not.toContain(ics.url);
    }
    // A feed that was fine and then disappears turns broken too; the preview says why.
    const path = '/ical/rotated.ics';
    const created = await connect(ics.serve(path, officeFeed()));
    await settledCalendar(created.body.id, 'active');
    ics.fail(path, 410);
    expect((await settledCalendar(created.body.id, 'broken')).lastError).toMatch(/410/);
    const preview = await get(`${CALENDARS}/${created.body.id}/preview`);
    expect(preview).toMatchObject({ status: 422, body: { detail: expect.stringMatching(/410/) } });
    expect((await fetch(`${stack.services['calendar-poller'].url}/health/ready`)).status).toBe(200);
  }, 60_000);

  it('deletes a calendar with its spans', async () => {
    const created = await connect(ics.serve('/ical/delete-me.ics', officeFeed()));
    await settledCalendar(created.body.id, 'active');
    expect((await stack.api.delete(`${CALENDARS}/${created.body.id}`, ada.jwt)).status).toBe(204);
    expect((await get(`${CALENDARS}/${created.body.id}`)).status).toBe(404);
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM calendar_spans WHERE calendar_id = $1`, [created.body.id]);
    expect(rows[0].n).toBe(0);
  }, 60_000);
});
