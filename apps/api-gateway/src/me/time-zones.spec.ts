import { isKnownTimeZone } from './time-zones';

describe('isKnownTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv'])('accepts %s', (zone) => {
    expect(isKnownTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Olympus_Mons', '+02:00', 'europe/berlin', 'EUROPE/BERLIN', 'Berlin', '', 'Etc/GMT+99'])('refuses %p', (zone) => {
    expect(isKnownTimeZone(zone)).toBe(false);
  });
});
