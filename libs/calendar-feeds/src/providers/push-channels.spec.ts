import { randomBytes } from 'node:crypto';
import { isPushTokenValid, pushAddress, pushToken } from './push-channels';

describe('push channel tokens', () => {
  const current = randomBytes(32);
  const previous = randomBytes(32);

  it('is bound to the calendar and the key, and checks against every configured key (channels outlive a rotation)', () => {
    const token = pushToken(current, 'cal-1');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isPushTokenValid([current], 'cal-1', token)).toBe(true);
    expect(isPushTokenValid([current], 'cal-2', token)).toBe(false);
    expect(isPushTokenValid([randomBytes(32)], 'cal-1', token)).toBe(false);
    expect(isPushTokenValid([current, previous], 'cal-1', pushToken(previous, 'cal-1'))).toBe(true);
    expect(isPushTokenValid([current], 'cal-1', '')).toBe(false);
    expect(isPushTokenValid([current], 'cal-1', `${token}x`)).toBe(false);
  });

  it('says where each provider notifies', () => {
    expect(pushAddress('https://statusync.example.com', 'google')).toBe('https://statusync.example.com/api/v1/calendars/push/google');
    expect(pushAddress('https://statusync.example.com', 'microsoft')).toBe('https://statusync.example.com/api/v1/calendars/push/microsoft');
  });
});
