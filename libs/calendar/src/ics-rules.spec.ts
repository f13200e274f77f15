import { CalendarFeedError, CalendarInputError } from './errors';
import { busyOf, ics, previewIcs, reasonsOf, span, vevent } from './testing/helpers';

const DAY = ['2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z'] as const;
const at = (...lines: string[]) => vevent('DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', ...lines);
const one = (...lines: string[]) => previewIcs(ics(at(...lines)), ...DAY, { ownerEmail: 'Me@Example.com' });

describe('which ICS events count', () => {
  it('counts an opaque, confirmed event with no answer needed', () => {
    expect(busyOf(one())).toEqual([span('2026-03-02T09:00Z', '2026-03-02T10:00Z')]);
  });

  it.each([
    ['TRANSP:TRANSPARENT', 'free'],
    ['X-MICROSOFT-CDO-BUSYSTATUS:FREE', 'free'],
    ['X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE', 'tentative'],
    ['X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE', 'working-location'],
    ['STATUS:CANCELLED', 'cancelled'],
    ['STATUS:TENTATIVE', 'tentative'],
    ['ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com', 'declined'],
    ['ATTENDEE;PARTSTAT=TENTATIVE:MAILTO:ME@EXAMPLE.COM', 'tentative'],
    ['X-MICROSOFT-CDO-ALLDAYEVENT:TRUE', 'all-day'],
  ])('ignores %s as %s', (line, reason) => {
    const result = one(line);
    expect(result.busy).toEqual([]);
    expect(reasonsOf(result)).toEqual([reason]);
  });

  it.each(['ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.com', 'ATTENDEE:mailto:me@example.com', 'ATTENDEE;PARTSTAT=DECLINED:mailto:someone.else@example.com', 'X-MICROSOFT-CDO-BUSYSTATUS:BUSY', 'TRANSP:OPAQUE'])(
    'counts with %s',
    (line) => expect(one(line).busy).toHaveLength(1),
  );

  it('lets BUSYSTATUS:OOF make an out-of-office span, and a "Focus time" title a focus span', () => {
    expect(one('X-MICROSOFT-CDO-BUSYSTATUS:OOF').busy[0].kind).toBe('out_of_office');
    expect(one('SUMMARY:Focus time').busy[0].kind).toBe('focus');
  });

  it('ignores DATE events by default and counts them over the user day with includeAllDay', () => {
    const text = ics(vevent('DTSTART;VALUE=DATE:20260302', 'DTEND;VALUE=DATE:20260303'));
    expect(reasonsOf(previewIcs(text, ...DAY))).toEqual(['all-day']);
    const counted = previewIcs(text, '2026-03-01T00:00Z', '2026-03-04T00:00Z', { userTimeZone: 'Europe/Berlin' }, { includeAllDay: true });
    expect(busyOf(counted)).toEqual([span('2026-03-01T23:00Z', '2026-03-02T23:00Z')]);
  });

  it('returns titles only when asked, and never for private or confidential events', () => {
    const text = ics(at('SUMMARY:Board meeting'), vevent('DTSTART:20260302T120000Z', 'DTEND:20260302T130000Z', 'SUMMARY:Doctor', 'CLASS:PRIVATE'));
    expect(previewIcs(text, ...DAY).busy.map((b) => b.titles)).toEqual([undefined, undefined]);
    expect(previewIcs(text, ...DAY, {}, { includeTitles: true }).busy.map((b) => b.titles)).toEqual([['Board meeting'], undefined]);
  });
});

describe('ICS time zones and recurrence', () => {
  it('moves a weekly 09:00 Europe/Berlin meeting from 08:00Z to 07:00Z across the last Sunday of March', () => {
    const text = ics(vevent('DTSTART;TZID=Europe/Berlin:20260316T090000', 'DTEND;TZID=Europe/Berlin:20260316T093000', 'RRULE:FREQ=WEEKLY'));
    expect(busyOf(previewIcs(text, '2026-03-16T00:00Z', '2026-04-07T00:00Z'))).toEqual([
      span('2026-03-16T08:00Z', '2026-03-16T08:30Z'),
      span('2026-03-23T08:00Z', '2026-03-23T08:30Z'),
      span('2026-03-30T07:00Z', '2026-03-30T07:30Z'),
      span('2026-04-06T07:00Z', '2026-04-06T07:30Z'),
    ]);
  });

  it('moves it back from 07:00Z to 08:00Z across the last Sunday of October, and keeps wall-clock lengths over the change', () => {
    const text = ics(vevent('DTSTART;TZID=Europe/Berlin:20261019T090000', 'DTEND;TZID=Europe/Berlin:20261019T093000', 'RRULE:FREQ=WEEKLY'));
    expect(busyOf(previewIcs(text, '2026-10-19T00:00Z', '2026-11-03T00:00Z'))).toEqual([
      span('2026-10-19T07:00Z', '2026-10-19T07:30Z'),
      span('2026-10-26T08:00Z', '2026-10-26T08:30Z'),
      span('2026-11-02T08:00Z', '2026-11-02T08:30Z'),
    ]);
    // A nightly 00:00–06:00 local block: six hours of wall clock, seven real ones in the night the clocks go back.
    const night = ics(vevent('DTSTART;TZID=Europe/Berlin:20261024T000000', 'DTEND;TZID=Europe/Berlin:20261024T060000', 'RRULE:FREQ=DAILY;COUNT=3'));
    expect(busyOf(previewIcs(night, '2026-10-23T00:00Z', '2026-10-28T00:00Z'))).toEqual([
      span('2026-10-23T22:00Z', '2026-10-24T04:00Z'),
      span('2026-10-24T22:00Z', '2026-10-25T05:00Z'),
      span('2026-10-25T23:00Z', '2026-10-26T05:00Z'),
    ]);
  });

  it('honours COUNT, an inclusive UNTIL, and EXDATE in the series zone', () => {
    const counted = ics(vevent('DTSTART;TZID=America/New_York:20260302T090000', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=3', 'EXDATE;TZID=America/New_York:20260303T090000'));
    expect(busyOf(previewIcs(counted, '2026-03-01T00:00Z', '2026-03-10T00:00Z'))).toEqual([span('2026-03-02T14:00Z', '2026-03-02T15:00Z'), span('2026-03-04T14:00Z', '2026-03-04T15:00Z')]);
    const until = ics(vevent('DTSTART;TZID=America/New_York:20260302T090000', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;UNTIL=20260304T140000Z'));
    expect(previewIcs(until, '2026-03-01T00:00Z', '2026-03-10T00:00Z').busy).toHaveLength(3);
  });

  it('applies a RECURRENCE-ID that appears before its master: moved, and cancelled', () => {
    const text = ics(
      vevent('UID:s', 'RECURRENCE-ID:20260303T090000Z', 'DTSTART:20260303T150000Z', 'DTEND:20260303T160000Z'),
      vevent('UID:s', 'RECURRENCE-ID:20260304T090000Z', 'DTSTART:20260304T090000Z', 'DTEND:20260304T100000Z', 'STATUS:CANCELLED'),
      vevent('UID:s', 'DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=DAILY;COUNT=3'),
    );
    const result = previewIcs(text, '2026-03-01T00:00Z', '2026-03-10T00:00Z');
    expect(busyOf(result)).toEqual([span('2026-03-02T09:00Z', '2026-03-02T10:00Z'), span('2026-03-03T15:00Z', '2026-03-03T16:00Z')]);
    expect(reasonsOf(result)).toEqual(['cancelled']);
  });

  it('resolves a Windows TZID through the file VTIMEZONE, and without one through windows-iana', () => {
    const withoutVtimezone = ics(vevent('DTSTART;TZID=W. Europe Standard Time:20260706T090000', 'DTEND;TZID=W. Europe Standard Time:20260706T100000'));
    expect(busyOf(previewIcs(withoutVtimezone, '2026-07-06T00:00Z', '2026-07-07T00:00Z'))).toEqual([span('2026-07-06T07:00Z', '2026-07-06T08:00Z')]);
  });

  it('reads floating times in the user zone', () => {
    const text = ics(vevent('DTSTART:20260706T090000', 'DTEND:20260706T100000'));
    expect(busyOf(previewIcs(text, '2026-07-06T00:00Z', '2026-07-07T00:00Z', { userTimeZone: 'America/Chicago' }))).toEqual([span('2026-07-06T14:00Z', '2026-07-06T15:00Z')]);
  });
});

describe('bad input', () => {
  it('skips one unreadable event as unparseable and keeps the others', () => {
    const text = ics(vevent('DTSTART;TZID="Broken:20260302T090000"', 'DTEND:20260302T100000Z'), at());
    const result = previewIcs(text, ...DAY);
    expect(result.busy).toHaveLength(1);
    expect(result.ignored).toEqual([expect.objectContaining({ reason: 'unparseable', start: null })]);
  });

  it('throws a typed error for a feed that is not iCalendar, or too big', () => {
    expect(() => previewIcs('<html>Not found</html>', ...DAY)).toThrow(expect.objectContaining({ code: 'not_icalendar' }));
    expect(() => previewIcs(ics(at()), ...DAY, { limits: { maxBytes: 100 } })).toThrow(CalendarFeedError);
    expect(() => previewIcs(ics(at()), ...DAY, { limits: { maxBytes: 100 } })).toThrow(expect.objectContaining({ code: 'too_large' }));
  });

  it('rejects a bad window or zone with the field named', () => {
    expect(() => previewIcs(ics(), 'yesterday', DAY[1])).toThrow(expect.objectContaining({ field: 'from' }));
    expect(() => previewIcs(ics(), DAY[1], DAY[0])).toThrow(CalendarInputError);
    expect(() => previewIcs(ics(), ...DAY, { userTimeZone: 'Mars/Olympus' })).toThrow(expect.objectContaining({ field: 'userTimeZone' }));
  });
});
