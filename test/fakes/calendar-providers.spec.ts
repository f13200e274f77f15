import { preview } from '@statusync/calendar';
import { FeedProblem, syncGoogleEvents, syncGraphEvents } from '@statusync/calendar-feeds';
import { GoogleCalendarFake } from './google-calendar-fake';
import { GraphCalendarFake } from './graph-calendar-fake';

const at = (hour: number) => `2026-03-03T${String(hour).padStart(2, '0')}:00:00Z`;
const window = { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' };
const busyOf = (result: ReturnType<typeof preview>) => result.busy.map((span) => [span.start.slice(11, 16), span.end.slice(11, 16), span.kind]);

describe('Google events.list sync against the fake', () => {
  let google: GoogleCalendarFake;
  const options = () => ({ baseUrl: google.url, accessToken: google.accessToken, timeoutMs: 2_000, since: new Date(window.from) });
  beforeEach(async () => (google = await GoogleCalendarFake.start()));
  afterEach(() => google.close());

  it('full sync over pages, then only changes with the syncToken (cancelled ones removed), then a 410 resync', async () => {
    google.put({ id: 'a', status: 'confirmed', start: { dateTime: at(9) }, end: { dateTime: at(10) } });
    google.put({ id: 'b', status: 'confirmed', start: { dateTime: at(10) }, end: { dateTime: at(11) } });
    google.put({ id: 'c', status: 'confirmed', transparency: 'transparent', start: { dateTime: at(13) }, end: { dateTime: at(14) } });
    google.put({ id: 'd', status: 'confirmed', start: { dateTime: at(15) }, end: { dateTime: at(16) }, attendees: [{ self: true, responseStatus: 'declined' }] });
    let state = await syncGoogleEvents({ token: null, items: {} }, options());
    expect(Object.keys(state.items).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(google.requests.map((q) => q.has('pageToken'))).toEqual([false, true]);
    expect(busyOf(preview({ type: 'google', items: Object.values(state.items) }, window, {}, { userTimeZone: 'UTC' }))).toEqual([['09:00', '11:00', 'meeting']]);

    google.put({ id: 'b', status: 'cancelled' });
    google.put({ id: 'e', status: 'confirmed', eventType: 'outOfOffice', start: { dateTime: at(17) }, end: { dateTime: at(18) } });
    state = await syncGoogleEvents(state, options());
    const incremental = google.requests.at(-1)!;
    expect(incremental.get('syncToken')).toEqual(expect.any(String));
    expect(incremental.has('timeMin')).toBe(false);
    expect(Object.keys(state.items).sort()).toEqual(['a', 'c', 'd', 'e']);
    expect(busyOf(preview({ type: 'google', items: Object.values(state.items) }, window, {}, { userTimeZone: 'UTC' }))).toEqual([
      ['09:00', '10:00', 'meeting'],
      ['17:00', '18:00', 'out_of_office'],
    ]);

    google.expireSyncTokens();
    const before = google.requests.length;
    state = await syncGoogleEvents(state, options());
    expect(google.requests.slice(before).map((q) => (q.has('syncToken') ? 'incremental' : 'full'))).toEqual(['incremental', 'full', 'full']);
    expect(Object.keys(state.items).sort()).toEqual(['a', 'c', 'd', 'e']);
  });

  it('the fake is strict like Google: syncToken with timeMin, orderBy=startTime without singleEvents', async () => {
    const list = (query: string) => fetch(`${google.url}/calendar/v3/calendars/primary/events?${query}`, { headers: { authorization: `Bearer ${google.accessToken}` } });
    expect((await list('syncToken=sync-1-0&timeMin=2026-03-03T00:00:00Z')).status).toBe(400);
    expect((await list('orderBy=startTime')).status).toBe(400);
    expect((await list('syncToken=garbage')).status).toBe(410);
  });

  it('a refused token is a permanent problem', async () => {
    await expect(syncGoogleEvents({ token: null, items: {} }, { ...options(), accessToken: 'wrong' })).rejects.toMatchObject({ permanent: true });
    await expect(syncGoogleEvents({ token: null, items: {} }, { ...options(), accessToken: 'wrong' })).rejects.toBeInstanceOf(FeedProblem);
  });
});

describe('Microsoft Graph calendarView/delta against the fake', () => {
  let graph: GraphCalendarFake;
  const options = () => ({ baseUrl: graph.url, accessToken: graph.accessToken, timeoutMs: 2_000, window: { from: new Date(window.from), to: new Date(window.to) } });
  const item = (id: string, start: number, end: number, extra: Record<string, unknown> = {}) => ({
    id,
    showAs: 'busy',
    start: { dateTime: at(start).slice(0, 19), timeZone: 'UTC' },
    end: { dateTime: at(end).slice(0, 19), timeZone: 'UTC' },
    ...extra,
  });
  beforeEach(async () => (graph = await GraphCalendarFake.start()));
  afterEach(() => graph.close());

  it('follows nextLink to a deltaLink, applies changes and removals, resyncs after a 410', async () => {
    graph.put(item('a', 9, 10));
    graph.put(item('b', 10, 11, { responseStatus: { response: 'declined' } }));
    graph.put(item('c', 12, 13, { showAs: 'oof' }));
    let state = await syncGraphEvents({ token: null, items: {} }, options());
    expect(graph.requests).toHaveLength(2);
    expect(graph.requests[0]).toMatch(/startDateTime=.*endDateTime=/);
    expect(state.token).toMatch(/\$deltatoken=/);
    expect(busyOf(preview({ type: 'microsoft', items: Object.values(state.items) }, window, {}, { userTimeZone: 'UTC' }))).toEqual([
      ['09:00', '10:00', 'meeting'],
      ['12:00', '13:00', 'out_of_office'],
    ]);

    graph.remove('a');
    graph.put(item('d', 14, 15));
    state = await syncGraphEvents(state, options());
    expect(graph.requests.at(-1)).toMatch(/\$deltatoken=/);
    expect(Object.keys(state.items).sort()).toEqual(['b', 'c', 'd']);

    graph.forgetDeltaState();
    const before = graph.requests.length;
    state = await syncGraphEvents(state, options());
    expect(graph.requests.slice(before).map((url) => (url.includes('$deltatoken') ? 'delta' : 'full'))).toEqual(['delta', 'full', 'full']);
    expect(Object.keys(state.items).sort()).toEqual(['b', 'c', 'd']);
  });

  it('the fake is strict: both window ends are required', async () => {
    const answer = await fetch(`${graph.url}/v1.0/me/calendarView/delta?startDateTime=${window.from}`, { headers: { authorization: `Bearer ${graph.accessToken}` } });
    expect(answer.status).toBe(400);
  });
});
