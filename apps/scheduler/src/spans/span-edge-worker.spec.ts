import { spanEdgeConcurrency, spanEdgeJobsAtOnce, spanEdgeTransactions } from './span-edge-worker';

describe('span-edge firing concurrency', () => {
  it('leaves two connections of the pool for reconcile, sweep and purge', () => {
    expect(spanEdgeConcurrency(20)).toBe(18);
    expect(spanEdgeConcurrency(3)).toBe(1);
    expect(spanEdgeConcurrency(1)).toBe(1);
  });

  it('fires in at most four group transactions at once, and takes enough edge jobs to fill a group behind each', () => {
    expect(spanEdgeTransactions(20)).toBe(4);
    expect(spanEdgeTransactions(4)).toBe(2);
    expect(spanEdgeTransactions(1)).toBe(1);
    expect(spanEdgeJobsAtOnce(20)).toBe(128);
    expect(spanEdgeJobsAtOnce(3)).toBe(32);
  });
});
