import { FireSpanEdgeJob } from '@statusync/queue';

/** Most edges fired in one transaction: bounds how long a group holds its users' edge locks (§41). */
export const MAX_EDGES_PER_GROUP = 32;

/**
 * Group commit for span edges (§41): the worker hands every edge job it takes to `fire`; at most `slots` groups are
 * in flight (each holds one connection for one transaction), and an edge that arrives while they all are waits and
 * joins the next group with the others that arrived meanwhile. A lone edge on a quiet system still fires at once in
 * a group of one; in the top-of-the-hour burst the groups grow by themselves, and each costs one transaction and
 * one enqueue instead of one per edge.
 */
export class SpanEdgeGroups<R> {
  private readonly waiting: { job: FireSpanEdgeJob; resolve: (result: R) => void; reject: (error: Error) => void }[] = [];
  private running = 0;

  constructor(
    private readonly fireGroup: (jobs: FireSpanEdgeJob[]) => Promise<(R | Error)[]>,
    private readonly slots: number,
    private readonly maxPerGroup = MAX_EDGES_PER_GROUP,
  ) {}

  /** Settles with this edge's own result, or rejects with its own error (never another edge's). */
  fire(job: FireSpanEdgeJob): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.next();
    });
  }

  /** Groups in flight and edges waiting for one (tests, shutdown). */
  get pending(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private next(): void {
    while (this.running < this.slots && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.maxPerGroup);
      this.running++;
      this.fireGroup(group.map((entry) => entry.job))
        .then(
          (results) => group.forEach((entry, i) => (results[i] instanceof Error ? entry.reject(results[i] as Error) : entry.resolve(results[i] as R))),
          (error: unknown) => group.forEach((entry) => entry.reject(error as Error)),
        )
        .finally(() => {
          this.running--;
          this.next();
        });
    }
  }
}
