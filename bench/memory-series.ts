/** How a memory figure sampled through the soak grew after its warm-up (bench/phases/soak.ts). */
export interface MemorySeries {
  /**
   * The highest sample in the first third after the warm-up and in the last third, and the growth between them. A
   * Node service's RSS follows the heap V8 reserves, which rises and falls by ±40 % over minutes while the live heap
   * stays put, so two means of three samples measured where in that cycle they fell; the envelope of each third
   * does not, and a leak still lifts it (docs/decisions.md §36).
   */
  afterWarmUpMb: number;
  endMb: number;
  growthPct: number;
  /** The earlier figure, kept to compare with older results: mean of the first 3 samples after the warm-up → of the last 3. */
  meanGrowthPct: number;
  peakMb: number;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export function series(samples: { at: number; mb: number }[], warmUpEnd: number): MemorySeries | null {
  const after = samples.filter((sample) => sample.at >= warmUpEnd).map((sample) => sample.mb);
  if (after.length < 2) return null;
  const third = Math.max(1, Math.floor(after.length / 3));
  const first = Math.max(...after.slice(0, third));
  const last = Math.max(...after.slice(-third));
  const k = Math.max(1, Math.min(3, Math.floor(after.length / 2)));
  const [firstMean, lastMean] = [mean(after.slice(0, k)), mean(after.slice(-k))];
  return {
    afterWarmUpMb: round1(first),
    endMb: round1(last),
    growthPct: round1(((last - first) / first) * 100),
    meanGrowthPct: round1(((lastMean - firstMean) / firstMean) * 100),
    peakMb: Math.max(...samples.map((s) => s.mb)),
  };
}
