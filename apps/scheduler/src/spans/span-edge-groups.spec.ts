import { FireSpanEdgeJob } from '@statusync/queue';
import { SpanEdgeGroups } from './span-edge-groups';

const job = (n: number): FireSpanEdgeJob => ({ spanId: `span-${n}`, userId: `user-${n}`, edge: 'start', at: 1_000 });

/** A fake group firer: records each group and settles it when the test says so. */
function fakeFirer() {
  const groups: { jobs: FireSpanEdgeJob[]; settle: (results: (string | Error)[]) => void; fail: (error: Error) => void }[] = [];
  const fireGroup = (jobs: FireSpanEdgeJob[]) =>
    new Promise<(string | Error)[]>((resolve, reject) => groups.push({ jobs, settle: resolve, fail: reject }));
  return { groups, fireGroup };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('span-edge groups (group commit)', () => {
  it('fires a lone edge at once, and the edges that arrive while every slot is busy together in the next group', async () => {
    const { groups, fireGroup } = fakeFirer();
    const edges = new SpanEdgeGroups<string>(fireGroup, 2, 3);
    const first = edges.fire(job(1));
    expect(groups.map((g) => g.jobs.length)).toEqual([1]);
    const second = edges.fire(job(2));
    const rest = [3, 4, 5, 6].map((n) => edges.fire(job(n)));
    // Two slots: the second edge took the other one; four wait.
    expect(groups.map((g) => g.jobs.length)).toEqual([1, 1]);
    expect(edges.pending).toEqual({ running: 2, waiting: 4 });
    groups[0].settle(['opened']);
    await expect(first).resolves.toBe('opened');
    await flush();
    // The freed slot takes at most three of the four waiting.
    expect(groups.map((g) => g.jobs.map((j) => j.spanId))).toEqual([['span-1'], ['span-2'], ['span-3', 'span-4', 'span-5']]);
    groups[1].settle(['merged']);
    await expect(second).resolves.toBe('merged');
    await flush();
    expect(groups[3].jobs.map((j) => j.spanId)).toEqual(['span-6']);
    groups[2].settle(['opened', new Error('user 4 failed'), 'duplicate']);
    groups[3].settle(['opened']);
    const settled = await Promise.allSettled(rest);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['opened', 'user 4 failed', 'duplicate', 'opened']);
    expect(edges.pending).toEqual({ running: 0, waiting: 0 });
  });

  it('rejects every edge of a group whose firing itself threw, and keeps serving the next ones', async () => {
    const { groups, fireGroup } = fakeFirer();
    const edges = new SpanEdgeGroups<string>(fireGroup, 1, 10);
    const a = edges.fire(job(1));
    const b = edges.fire(job(2));
    groups[0].fail(new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    await flush();
    groups[1].fail(new Error('still down'));
    await expect(b).rejects.toThrow('still down');
    const c = edges.fire(job(3));
    groups[2].settle(['opened']);
    await expect(c).resolves.toBe('opened');
  });
});
