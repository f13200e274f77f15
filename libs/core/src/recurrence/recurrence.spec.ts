import { expandOccurrences, parseRrule, RecurrenceError } from './recurrence';

const iso = (d: Date | null) => d?.toISOString();

describe('expandOccurrences', () => {
  it('keeps weekday lunch at 12:00–13:00 Europe/Berlin across the March DST change', () => {
    const list = expandOccurrences(
      { startsAt: new Date('2027-03-22T11:00:00Z'), endsAt: new Date('2027-03-22T12:00:00Z'), rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', timeZone: 'Europe/Berlin' },
      new Date('2027-03-25T00:00:00Z'),
      new Date('2027-03-31T00:00:00Z'),
      10,
    );
    // Thu 25, Fri 26 (CET, UTC+1), then Mon 29, Tue 30 (CEST, UTC+2) — 12:00 local throughout.
    expect(list.map((o) => [iso(o.startsAt), iso(o.endsAt)])).toEqual([
      ['2027-03-25T11:00:00.000Z', '2027-03-25T12:00:00.000Z'],
      ['2027-03-26T11:00:00.000Z', '2027-03-26T12:00:00.000Z'],
      ['2027-03-29T10:00:00.000Z', '2027-03-29T11:00:00.000Z'],
      ['2027-03-30T10:00:00.000Z', '2027-03-30T11:00:00.000Z'],
    ]);
  });

  it('keeps weekday lunch at 12:00–13:00 Europe/Berlin across the October DST change', () => {
    const list = expandOccurrences(
      { startsAt: new Date('2027-10-25T10:00:00Z'), endsAt: new Date('2027-10-25T11:00:00Z'), rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', timeZone: 'Europe/Berlin' },
      new Date('2027-10-28T00:00:00Z'),
      new Date('2027-11-03T00:00:00Z'),
      10,
    );
    // Thu 28, Fri 29 (CEST, UTC+2), then Mon 1, Tue 2 November (CET, UTC+1) — 12:00 local throughout.
    expect(list.map((o) => [iso(o.startsAt), iso(o.endsAt)])).toEqual([
      ['2027-10-28T10:00:00.000Z', '2027-10-28T11:00:00.000Z'],
      ['2027-10-29T10:00:00.000Z', '2027-10-29T11:00:00.000Z'],
      ['2027-11-01T11:00:00.000Z', '2027-11-01T12:00:00.000Z'],
      ['2027-11-02T11:00:00.000Z', '2027-11-02T12:00:00.000Z'],
    ]);
  });

  it('keeps a New York evening slot local across the November change, and honours COUNT', () => {
    const list = expandOccurrences(
      { startsAt: new Date('2027-11-05T22:00:00Z'), endsAt: new Date('2027-11-05T23:00:00Z'), rrule: 'RRULE:FREQ=DAILY;COUNT=3', timeZone: 'America/New_York' },
      new Date('2027-11-01T00:00:00Z'),
      new Date('2027-12-01T00:00:00Z'),
      10,
    );
    expect(list.map((o) => iso(o.startsAt))).toEqual(['2027-11-05T22:00:00.000Z', '2027-11-06T22:00:00.000Z', '2027-11-07T23:00:00.000Z']);
  });

  it('is bounded by max and includes an occurrence still running at `from`', () => {
    const input = { startsAt: new Date('2027-01-01T09:00:00Z'), endsAt: new Date('2027-01-01T10:00:00Z'), rrule: 'FREQ=HOURLY;INTERVAL=2', timeZone: 'UTC' };
    const list = expandOccurrences(input, new Date('2027-01-01T09:30:00Z'), new Date('2027-02-01T00:00:00Z'), 3);
    expect(list.map((o) => o.key)).toEqual(['2027-01-01T09:00:00.000Z', '2027-01-01T11:00:00.000Z', '2027-01-01T13:00:00.000Z']);
  });

  it('treats UNTIL in UTC as an inclusive instant', () => {
    const list = expandOccurrences(
      { startsAt: new Date('2027-01-01T09:00:00Z'), endsAt: null, rrule: 'FREQ=DAILY;UNTIL=20270103T090000Z', timeZone: 'Europe/Berlin' },
      new Date('2027-01-01T00:00:00Z'),
      new Date('2027-02-01T00:00:00Z'),
      10,
    );
    expect(list).toHaveLength(3);
  });
});

describe('parseRrule', () => {
  it.each(['garbage', '', 'FREQ=BOGUS', 'FREQ=MINUTELY', 'FREQ=DAILY;FOO=1', 'FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z', 'FREQ=DAILY;BYDAY=XX', 'FREQ=HOURLY;BYHOUR=25', 'FREQ=DAILY;BYSETPOS=400'])(
    'refuses %j',
    (text) => {
      expect(() => parseRrule(text)).toThrow(RecurrenceError);
    },
  );
});
