import { platformBackoff } from './platform-backoff';

describe('platformBackoff', () => {
  const settings = { baseMs: 1000, maxMs: 60_000 };

  it('grows exponentially with equal jitter', () => {
    const low = platformBackoff(settings, () => 0);
    const high = platformBackoff(settings, () => 1);
    expect([1, 2, 3, 4].map((n) => low(n))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => high(n))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('is capped', () => {
    expect(platformBackoff(settings, () => 1)(30)).toBe(60_000);
  });

  it('never waits less than the platform asked for', () => {
    const backoff = platformBackoff(settings, () => 0);
    const rateLimited = Object.assign(new Error('ratelimited'), { retryAfterMs: 7_000 });
    expect(backoff(1, 'platform', rateLimited)).toBe(7_000);
    expect(backoff(10, 'platform', rateLimited)).toBe(30_000); // the exponential wait is already longer
  });
});
