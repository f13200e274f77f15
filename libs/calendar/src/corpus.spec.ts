import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { busyOf, previewIcs, span } from './testing/helpers';
import type { PreviewContext } from './types';

/**
 * The public corpus (test/fixtures/calendar-corpus/public, real exports with their sources and licences): every file parses, and the preview
 * over a chosen window matches a reading of the file by hand. Each case says why its spans are what they are.
 */
const CORPUS = process.env.CALENDAR_CORPUS_DIR ?? join(__dirname, '../../../test/fixtures/calendar-corpus/public');

interface Case {
  window: [string, string];
  ctx?: Partial<PreviewContext>;
  busy: [string, string, string][];
}

const CASES: Record<string, Case> = {
  // Display-name TZIDs without VTIMEZONE: Sydney is AEDT (+11) on 28 Oct 2020; US Eastern is EDT (-4) until
  // 1 Nov 2020, EST (-5) after. TEST2 (weekly TH,FR from Mon 2 Nov) and TEST 3 overlap on 2 Nov.
  'node-ical__Office-2012-owa.ics': {
    window: ['2020-10-27T00:00Z', '2020-11-07T00:00Z'],
    busy: [
      span('2020-10-28T02:30Z', '2020-10-28T04:00Z'),
      span('2020-10-28T17:30Z', '2020-10-28T19:00Z'),
      span('2020-11-02T18:30Z', '2020-11-02T20:00Z'),
      span('2020-11-05T18:30Z', '2020-11-05T20:00Z'),
      span('2020-11-06T18:30Z', '2020-11-06T20:00Z'),
    ],
  },
  // US/Central (CDT, -5) 09:00-19:00 every other MO/TH from Thu 16 Feb 2017 (weeks of 2 Jul, 16 Jul, 30 Jul, 13 Aug);
  // EXDATEs drop 6, 17, 20 Jul and 3 Aug; 14 Aug 09:00 CDT is after UNTIL (14 Aug 04:59:59Z).
  // The second series (UTC, 14:00-24:00, every other MO/TU) starts 14 Aug.
  'node-ical__biweekly-exdate-until.ics': {
    window: ['2017-07-01T00:00Z', '2017-08-16T00:00Z'],
    busy: [
      span('2017-07-03T14:00Z', '2017-07-04T00:00Z'),
      span('2017-07-31T14:00Z', '2017-08-01T00:00Z'),
      span('2017-08-14T14:00Z', '2017-08-15T00:00Z'),
      span('2017-08-15T14:00Z', '2017-08-16T00:00Z'),
    ],
  },
  // America/Los_Angeles (PDT, -7) 12:00-13:00 daily x10 from 6 Jul 2015; EXDATE 8 and 10 Jul; the 7 Jul instance
  // moved to 9 Jul 15:00 (its DTEND is before its DTSTART, so it keeps the master's hour).
  'node-ical__daily-count-exdate-recurrence-id.ics': {
    window: ['2015-07-01T00:00Z', '2015-07-20T00:00Z'],
    busy: [
      span('2015-07-06T19:00Z', '2015-07-06T20:00Z'),
      span('2015-07-09T19:00Z', '2015-07-09T20:00Z'),
      span('2015-07-09T22:00Z', '2015-07-09T23:00Z'),
      ...['11', '12', '13', '14', '15'].map((d) => span(`2015-07-${d}T19:00Z`, `2015-07-${d}T20:00Z`)),
    ],
  },
  // All-day, FREE and TRANSPARENT: nothing is busy.
  'node-ical__exchange_whole_day_moved_recurrence.ics': { window: ['2026-02-16T00:00Z', '2026-03-02T00:00Z'], ctx: { userTimeZone: 'Europe/Berlin' }, busy: [] },
  // Floating 14:00-15:00 is in the user's zone (Berlin, CEST), not in the file's only VTIMEZONE.
  'node-ical__floating-dtstart-custom-vtimezone.ics': {
    window: ['2025-06-10T00:00Z', '2025-06-11T00:00Z'],
    ctx: { userTimeZone: 'Europe/Berlin' },
    busy: [span('2025-06-10T12:00Z', '2025-06-10T13:00Z')],
  },
  // Europe/Kiev VTIMEZONE (EEST, +3): daily 14:00-15:00 25-28 Aug 2016; UNTIL 28 Aug 11:00Z is that day's start
  // (inclusive); the override for 26 Aug comes before its master and keeps the same time.
  'node-ical__google-calendar-kiev-tz.ics': {
    window: ['2016-08-20T00:00Z', '2016-09-01T00:00Z'],
    busy: ['25', '26', '27', '28'].map((d) => span(`2016-08-${d}T11:00Z`, `2016-08-${d}T12:00Z`)),
  },
  // One 24-hour span written three ways: floating (user in Los Angeles, PST -8 after 27 Oct 2002), UTC, and
  // America/New_York (EST -5); they overlap into one span. Both date-only events are all-day (ignored).
  'node-ical__mixed-timezone-handling.ics': {
    window: ['2002-10-27T00:00Z', '2002-10-30T00:00Z'],
    ctx: { userTimeZone: 'America/Los_Angeles' },
    busy: [span('2002-10-28T01:20:30Z', '2002-10-29T09:20:30Z')],
  },
  // W. Europe (CEST +2) 10 Sep 09:00; Pacific (PDT -7) 15 Sep 08:30. The broken TZID event and the FREE series
  // do not count.
  'node-ical__ms_timezones.ics': {
    window: ['2020-09-01T00:00Z', '2020-09-30T00:00Z'],
    busy: [span('2020-09-10T07:00Z', '2020-09-10T07:30Z'), span('2020-09-15T15:30Z', '2020-09-15T16:30Z')],
  },
  // A 40-day all-day holiday: ignored.
  'node-ical__sabredav-school-holidays.ics': { window: ['2018-07-01T00:00Z', '2018-08-12T00:00Z'], busy: [] },
  // Tentative and cancelled are ignored; "Confirmed" and "No Status" are 09:00-10:00 Vancouver (PDT -7).
  'node-ical__tentative-apple-calendar.ics': {
    window: ['2022-07-04T00:00Z', '2022-07-08T00:00Z'],
    ctx: { ownerEmail: 'confirmed@example.com' },
    busy: [span('2022-07-05T16:00Z', '2022-07-05T17:00Z'), span('2022-07-07T16:00Z', '2022-07-07T17:00Z')],
  },
  // Europe/Paris without VTIMEZONE (CET +1) counts; the " 1" TZID event is BUSYSTATUS:TENTATIVE (ignored).
  'node-ical__test_with_int_tzid.ics': {
    window: ['2023-12-01T00:00Z', '2024-01-31T00:00Z'],
    busy: [span('2023-12-15T14:00Z', '2023-12-15T15:00Z')],
  },
  // W. Europe VTIMEZONE whose rules start in year 1: 1 Jun 2024 10:00 CEST.
  'node-ical__vtimezone-year-0001-dtstart.ics': { window: ['2024-06-01T00:00Z', '2024-06-02T00:00Z'], busy: [span('2024-06-01T08:00Z', '2024-06-01T09:00Z')] },
  // All-day and transparent: ignored.
  'node-ical__whole_day_moved_over_dst_change_berlin.ics': { window: ['2024-10-26T00:00Z', '2024-11-01T00:00Z'], ctx: { userTimeZone: 'Europe/Berlin' }, busy: [] },
  // All-day weekday series, transparent: ignored.
  'icaljs__day_long_recur_yearly.ics': { window: ['2012-08-01T00:00Z', '2012-08-08T00:00Z'], busy: [] },
  // First Tuesday monthly 10:00-10:30 Los Angeles. 2 Oct moved to 15:00 PDT; 6 Nov (PST -8); the RDATE of
  // 5 Nov (18:00Z) moved to 6 Nov 20:00 PST; RDATEs 10 and 30 Nov; EXDATE 4 Dec and 5 Feb; 1 Jan.
  'icaljs__recur_instances.ics': {
    window: ['2012-10-01T00:00Z', '2013-03-01T00:00Z'],
    ctx: { ownerEmail: 'calmozilla1@gmail.com' },
    busy: [
      span('2012-10-02T22:00Z', '2012-10-02T22:30Z'),
      span('2012-11-06T18:00Z', '2012-11-06T18:30Z'),
      span('2012-11-07T04:00Z', '2012-11-07T04:30Z'),
      span('2012-11-10T18:00Z', '2012-11-10T18:30Z'),
      span('2012-11-30T18:00Z', '2012-11-30T18:30Z'),
      span('2013-01-01T18:00Z', '2013-01-01T18:30Z'),
    ],
  },
  // Daily on weekdays 10:00-10:30 in a custom +1/+2 zone (CEST) from Fri 3 Jul 2015; "BYDAY=MO, TU" is repaired;
  // UNTIL 22 Jul 08:00Z equals that day's start and is inclusive.
  'py-icalendar__issue_165_missing_event.ics': {
    window: ['2015-07-01T00:00Z', '2015-08-01T00:00Z'],
    busy: ['03', '06', '07', '08', '09', '10', '13', '14', '15', '16', '17', '20', '21', '22'].map((d) => span(`2015-07-${d}T08:00Z`, `2015-07-${d}T08:30Z`)),
  },
  // Eastern Standard Time VTIMEZONE: 28 Oct 2024 is still EDT (-4), the change is 3 Nov.
  'py-icalendar__issue_836_do_not_quote_tzid.ics': { window: ['2024-10-28T00:00Z', '2024-10-29T00:00Z'], busy: [span('2024-10-28T21:00Z', '2024-10-28T22:00Z')] },
  // US/Eastern (EST -5) daily x5 12:00 for 1h; RDATE period 2 Jan 15:00 for 2h; 4 Jan moved to 14:00.
  'py-icalendar__rfc_7265_appendix_example_2_ical.ics': {
    window: ['2006-01-01T00:00Z', '2006-01-10T00:00Z'],
    busy: [
      span('2006-01-02T17:00Z', '2006-01-02T18:00Z'),
      span('2006-01-02T20:00Z', '2006-01-02T22:00Z'),
      span('2006-01-03T17:00Z', '2006-01-03T18:00Z'),
      span('2006-01-04T19:00Z', '2006-01-04T20:00Z'),
      span('2006-01-05T17:00Z', '2006-01-05T18:00Z'),
      span('2006-01-06T17:00Z', '2006-01-06T18:00Z'),
    ],
  },
  // iTIP dump: the newest REQUEST (SEQUENCE 2, later DTSTAMP) is the "Pool party" 19:00-19:30Z; replies, the
  // counter-proposal and the older copies do not count.
  'ical4j__incoming.ics': { window: ['1996-01-01T00:00Z', '1998-01-01T00:00Z'], ctx: { ownerEmail: 'a@example.com' }, busy: [span('1997-07-01T19:00Z', '1997-07-01T19:30Z')] },
  // Arabian Standard Time (+4): 31 Mar 2021 14:00-15:00.
  'ical4j__evolution2.ics': { window: ['2020-01-01T00:00Z', '2021-12-31T00:00Z'], busy: [span('2021-03-31T10:00Z', '2021-03-31T11:00Z')] },
  // Weekday standup 09:30-09:45 in "Canberra, Melbourne, Sydney" (AEDT +11 in January), endless since 2009.
  'ical4j__Standup.ics': {
    window: ['2026-01-04T00:00Z', '2026-01-10T00:00Z'],
    busy: ['04', '05', '06', '07', '08'].map((d) => span(`2026-01-${d}T22:30Z`, `2026-01-${d}T22:45Z`)),
  },
  // 96 holidays, all STATUS:TENTATIVE and all-day: nothing is busy.
  'ical4j__google_aus_holidays.ics': { window: ['2004-01-01T00:00Z', '2008-01-01T00:00Z'], ctx: { userTimeZone: 'Australia/Sydney' }, busy: [] },
};

describe('public calendar corpus', () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.ics'));

  it('has an expectation for every file', () => {
    expect(files.sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(files)('%s parses without throwing, also over a wide window', (file) => {
    const text = readFileSync(join(CORPUS, file), 'utf8');
    expect(() => previewIcs(text, '1990-01-01T00:00:00Z', '2030-01-01T00:00:00Z')).not.toThrow();
  });

  it.each(Object.entries(CASES))('%s gives the spans a careful reading gives', (file, c) => {
    const text = readFileSync(join(CORPUS, file), 'utf8');
    expect(busyOf(previewIcs(text, c.window[0], c.window[1], c.ctx))).toEqual(c.busy);
  });
});
