import { CliError } from './errors';
import { formatMinutes, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['45m', 45],
    ['1h30m', 90],
    ['2h', 120],
    ['1d', 1_440],
    ['90', 90],
    ['1h 15min', 75],
  ])('%s is %i minutes', (text, minutes) => expect(parseDuration(text)).toBe(minutes));

  it.each(['', '15 parsecs', 'h', '0m', '-5m', '1.5h'])('refuses "%s" as a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(CliError);
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('formats minutes the way people read them', () => {
    expect([formatMinutes(45), formatMinutes(90), formatMinutes(120)]).toEqual(['45 min', '1 h 30 min', '2 h']);
  });
});
