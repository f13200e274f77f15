import { spanEdgeConcurrency } from './span-edge-worker';

describe('span-edge firing concurrency', () => {
  it('fires as many edges at once as the pool has connections beyond the two kept for reconcile, sweep and purge', () => {
    expect(spanEdgeConcurrency(20)).toBe(18);
    expect(spanEdgeConcurrency(3)).toBe(1);
    expect(spanEdgeConcurrency(1)).toBe(1);
  });
});
