import { jitterMs, nextFetchAt } from './poll-timing';

describe('poll timing', () => {
  const now = new Date('2026-03-02T09:00:00Z');
  const id = 'c0ffee00-4f3a-4c5b-8d6e-7f8091a2b3c4';

  it('adds a jitter under a tenth of the interval, the same for a calendar every time', () => {
    expect(jitterMs(id, 300_000)).toBe(jitterMs(id, 300_000));
    expect(jitterMs(id, 300_000)).toBeLessThan(30_000);
    expect(jitterMs('another', 300_000)).not.toBe(jitterMs(id, 300_000));
  });

  it('backs off by doubling per failure, capped at six hours', () => {
    const delay = (failures: number) => nextFetchAt(now, id, 300_000, failures).getTime() - now.getTime() - jitterMs(id, 300_000);
    expect([0, 1, 2, 3].map(delay)).toEqual([300_000, 600_000, 1_200_000, 2_400_000]);
    expect(delay(12)).toBe(6 * 3_600_000);
  });
});
