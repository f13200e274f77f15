import { preview } from './preview';
import { busyOf, reasonsOf, span } from './testing/helpers';
import type { GoogleEventItem, GraphEventItem } from './types';

const WINDOW = { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' };
const google = (items: GoogleEventItem[], ownerEmail?: string) => preview({ type: 'google', items }, WINDOW, { includeTitles: true }, { userTimeZone: 'Europe/Berlin', ownerEmail });
const graph = (items: GraphEventItem[]) => preview({ type: 'microsoft', items }, WINDOW, {}, { userTimeZone: 'Europe/Berlin' });

const gItem = (extra: Partial<GoogleEventItem> = {}): GoogleEventItem => ({
  id: 'g1',
  status: 'confirmed',
  summary: 'Sync',
  start: { dateTime: '2026-03-02T10:00:00+01:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-03-02T11:00:00+01:00', timeZone: 'Europe/Berlin' },
  ...extra,
});
const mItem = (extra: Partial<GraphEventItem> = {}): GraphEventItem => ({
  id: 'm1',
  subject: 'Sync',
  showAs: 'busy',
  isCancelled: false,
  isAllDay: false,
  responseStatus: { response: 'accepted' },
  start: { dateTime: '2026-03-02T09:00:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2026-03-02T10:00:00.0000000', timeZone: 'UTC' },
  ...extra,
});

describe('Google events.list items', () => {
  it('counts an opaque confirmed event at its RFC 3339 instant', () => {
    expect(busyOf(google([gItem()]))).toEqual([span('2026-03-02T09:00Z', '2026-03-02T10:00Z')]);
  });

  it.each<[Partial<GoogleEventItem>, string]>([
    [{ transparency: 'transparent' }, 'free'],
    [{ status: 'cancelled' }, 'cancelled'],
    [{ status: 'tentative' }, 'tentative'],
    [{ attendees: [{ email: 'me@example.com', self: true, responseStatus: 'declined' }] }, 'declined'],
    [{ attendees: [{ email: 'me@example.com', self: true, responseStatus: 'tentative' }] }, 'tentative'],
    [{ eventType: 'workingLocation' }, 'working-location'],
    [{ start: { date: '2026-03-02' }, end: { date: '2026-03-03' } }, 'all-day'],
  ])('ignores %j as %s', (extra, reason) => {
    expect(reasonsOf(google([gItem(extra)]))).toEqual([reason]);
  });

  it('matches the owner by email when `self` is missing, and counts needsAction', () => {
    expect(reasonsOf(google([gItem({ attendees: [{ email: 'ME@example.com', responseStatus: 'declined' }] })], 'me@example.com'))).toEqual(['declined']);
    expect(google([gItem({ attendees: [{ email: 'me@example.com', self: true, responseStatus: 'needsAction' }] })]).busy).toHaveLength(1);
  });

  it('maps outOfOffice and focusTime to their kinds, and hides private titles', () => {
    expect(google([gItem({ eventType: 'outOfOffice' })]).busy[0].kind).toBe('out_of_office');
    expect(google([gItem({ eventType: 'focusTime' })]).busy[0].kind).toBe('focus');
    expect(google([gItem({ visibility: 'private' })]).busy[0].titles).toBeUndefined();
    expect(google([gItem()]).busy[0].titles).toEqual(['Sync']);
  });

  it('reads a dateTime without offset in its timeZone, and reports an item without start', () => {
    const local = gItem({ start: { dateTime: '2026-03-02T10:00:00', timeZone: 'America/New_York' }, end: { dateTime: '2026-03-02T11:00:00', timeZone: 'America/New_York' } });
    expect(busyOf(google([local]))).toEqual([span('2026-03-02T15:00Z', '2026-03-02T16:00Z')]);
    expect(reasonsOf(google([gItem({ start: undefined })]))).toEqual(['unparseable']);
  });
});

describe('Microsoft Graph calendarView items', () => {
  it('counts busy and out-of-office, with the OOF kind winning where they overlap', () => {
    const result = graph([mItem(), mItem({ id: 'm2', showAs: 'oof', start: { dateTime: '2026-03-02T09:30:00', timeZone: 'UTC' }, end: { dateTime: '2026-03-02T12:00:00', timeZone: 'UTC' } })]);
    expect(busyOf(result)).toEqual([span('2026-03-02T09:00Z', '2026-03-02T12:00Z', 'out_of_office')]);
    expect(result.busy[0].segments.map((s) => s.kind)).toEqual(['meeting', 'out_of_office']);
  });

  it.each<[Partial<GraphEventItem>, string]>([
    [{ showAs: 'free' }, 'free'],
    [{ showAs: 'tentative' }, 'tentative'],
    [{ showAs: 'workingElsewhere' }, 'working-location'],
    [{ isCancelled: true }, 'cancelled'],
    [{ responseStatus: { response: 'declined' } }, 'declined'],
    [{ responseStatus: { response: 'tentativelyAccepted' } }, 'tentative'],
    [{ isAllDay: true, start: { dateTime: '2026-03-02T00:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-03-03T00:00:00.0000000', timeZone: 'UTC' } }, 'all-day'],
  ])('ignores %j as %s', (extra, reason) => {
    expect(reasonsOf(graph([mItem(extra)]))).toEqual([reason]);
  });

  it('resolves a Windows timeZone and counts notResponded', () => {
    const item = mItem({ responseStatus: { response: 'notResponded' }, start: { dateTime: '2026-03-02T09:00:00.0000000', timeZone: 'W. Europe Standard Time' }, end: { dateTime: '2026-03-02T09:30:00.0000000', timeZone: 'W. Europe Standard Time' } });
    expect(busyOf(graph([item]))).toEqual([span('2026-03-02T08:00Z', '2026-03-02T08:30Z')]);
  });

  it('skips @removed entries and rejects too many items with a typed error', () => {
    expect(graph([mItem({ '@removed': { reason: 'deleted' } })])).toEqual({ busy: [], ignored: [] });
    const items = [mItem(), mItem()];
    expect(() => preview({ type: 'microsoft', items }, WINDOW, {}, { userTimeZone: 'UTC', limits: { maxItems: 1 } })).toThrow(expect.objectContaining({ code: 'too_large' }));
  });
});
