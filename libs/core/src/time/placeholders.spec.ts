import { endOfDay, formatDuration, longestResolution, resolveForOccurrence, resolvePlaceholders } from './placeholders';

describe('placeholders', () => {
  it.each([
    [1, '1 min'],
    [45, '45 min'],
    [60, '1 h'],
    [120, '2 h'],
    [90, '1 h 30 min'],
    [1441, '24 h 1 min'],
  ])('formats %i minutes as %s', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });

  const now = new Date('2026-11-24T12:00:00Z');

  it('resolves {until} in the user\'s zone and {duration} from now', () => {
    const expiresAt = new Date('2026-11-24T12:45:00Z');
    expect(resolvePlaceholders('Back at {until} (in {duration})', { now, expiresAt, zone: 'Europe/Berlin' })).toBe('Back at 13:45 (in 45 min)');
    expect(resolvePlaceholders('Back at {until}', { now, expiresAt, zone: 'America/New_York' })).toBe('Back at 07:45');
    expect(resolvePlaceholders('Back at {until}', { now, expiresAt, zone: 'Asia/Kolkata' })).toBe('Back at 18:15');
  });

  it('leaves text without placeholders alone and refuses placeholders without an end', () => {
    expect(resolvePlaceholders('Lunch {soon}', { now, expiresAt: null, zone: 'UTC' })).toBe('Lunch {soon}');
    expect(resolvePlaceholders('Back at {until}', { now, expiresAt: null, zone: 'UTC' })).toBeNull();
  });

  it('ends the day at local midnight, across a DST change', () => {
    expect(endOfDay(now, 'Europe/Berlin').toISOString()).toBe('2026-11-24T22:59:59.999Z');
    expect(endOfDay(now, 'Pacific/Auckland').toISOString()).toBe('2026-11-25T10:59:59.999Z');
    // 29 March 2026: Berlin moves to summer time (UTC+2) at 02:00.
    expect(endOfDay(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-03-29T21:59:59.999Z');
    const resolved = resolvePlaceholders('until {until}, {duration}', { now, expiresAt: endOfDay(now, 'Europe/Berlin'), zone: 'Europe/Berlin' });
    expect(resolved).toBe('until 23:59, 11 h');
  });

  describe('per schedule occurrence', () => {
    const zone = 'Europe/Berlin';
    it('reads each occurrence\'s own end and length, across the DST change', () => {
      // Lunch 12:00–13:00 Berlin: before (UTC+1) and after (UTC+2) the change of 29 March 2026.
      const before = { startsAt: new Date('2026-03-27T11:00:00Z'), endsAt: new Date('2026-03-27T12:00:00Z') };
      const after = { startsAt: new Date('2026-03-30T10:00:00Z'), endsAt: new Date('2026-03-30T11:00:00Z') };
      expect(resolveForOccurrence('Lunch until {until} ({duration})', before, zone)).toBe('Lunch until 13:00 (1 h)');
      expect(resolveForOccurrence('Lunch until {until} ({duration})', after, zone)).toBe('Lunch until 13:00 (1 h)');
      // An occurrence spanning the change is an hour shorter in real time (a wall-clock 00:00–06:00).
      const night = { startsAt: new Date('2026-03-28T23:00:00Z'), endsAt: new Date('2026-03-29T04:00:00Z') };
      expect(resolveForOccurrence('{duration} until {until}', night, zone)).toBe('5 h until 06:00');
    });

    it('leaves text without placeholders or without an end alone', () => {
      const once = { startsAt: new Date('2026-03-27T11:00:00Z'), endsAt: null };
      expect(resolveForOccurrence('Back at {until}', once, zone)).toBe('Back at {until}');
      expect(resolveForOccurrence(null, once, zone)).toBeNull();
      expect(resolveForOccurrence('Lunch', { ...once, endsAt: new Date('2026-03-27T12:00:00Z') }, zone)).toBe('Lunch');
    });

    it('bounds the text any occurrence can resolve to (DST can make "1 h" into "59 min")', () => {
      expect(longestResolution('until {until}', 3_600_000)).toBe('until 00:00');
      // Only the length matters: "1 h 10 min" is as long as "1 h 59 min".
      expect(longestResolution('{duration}', 3_600_000)).toHaveLength('1 h 59 min'.length);
      expect(longestResolution('{duration}', 30 * 60_000)).toHaveLength('1 h 29 min'.length);
      expect(longestResolution('{duration}', 10 * 3_600_000)).toHaveLength('10 h 59 min'.length);
      expect(longestResolution('{duration}', 5)).toBe('1 h 1 min');
    });
  });
});
