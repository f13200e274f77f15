import { series } from './memory-series';

/** Samples every 10 s for 20 min, in MB: `mb(t)` with t in seconds. */
const sampled = (mb: (t: number) => number) => Array.from({ length: 121 }, (_, i) => ({ at: i * 10_000, mb: mb(i * 10) }));

describe('series (soak memory growth after the warm-up)', () => {
  it('reads a heap limit rising and falling inside a flat envelope as flat, where two means of three samples read a trend', () => {
    // The soaked worker's RSS: 200–330 MB, swinging with a 6-minute period (V8 raising and lowering its reserved heap).
    const rss = series(sampled((t) => 265 + 65 * Math.sin((2 * Math.PI * t) / 360)), 300_000)!;
    expect(Math.abs(rss.growthPct)).toBeLessThan(2);
    expect(Math.abs(rss.meanGrowthPct)).toBeGreaterThan(10);
  });

  it('shows a leak: a steady rise under the same swing lifts the envelope', () => {
    // +1 MB a minute, 15 MB over the 15 minutes after the warm-up, under the same swing.
    const rss = series(sampled((t) => 265 + t / 60 + 65 * Math.sin((2 * Math.PI * t) / 360)), 300_000)!;
    expect(rss.growthPct).toBeGreaterThan(2.5);
    expect(rss.afterWarmUpMb).toBeGreaterThan(300);
  });

  it('compares the highest sample of the first and last third after the warm-up, and keeps the overall peak', () => {
    const flatThenUp = series([0, 1, 2, 3, 4, 5, 6].map((i) => ({ at: i * 1000, mb: [500, 100, 100, 100, 100, 110, 120][i] })), 1000)!;
    expect(flatThenUp).toMatchObject({ afterWarmUpMb: 100, endMb: 120, growthPct: 20, peakMb: 500 });
    expect(series([{ at: 0, mb: 100 }, { at: 1000, mb: 100 }], 500)).toBeNull();
  });
});
