import { endOfDay, formatDuration, resolvePlaceholders } from './placeholders';

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
});
