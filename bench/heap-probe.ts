/**
 * Preloaded into each service of the soak (`node --require dist/bench/heap-probe.js`): appends to
 * `BENCH_HEAP_PROBE_FILE` one JSON line every `BENCH_HEAP_PROBE_INTERVAL_MS` with the parts of the process's
 * memory (V8 heap reserved and used, external, array buffers, RSS), and one after every full (mark-compact)
 * garbage collection with the heap it left in use: the live set. RSS alone cannot tell a leak from V8 sizing its
 * heap: V8 raises the old generation's limit with the allocation rate, and the RSS follows the reserved heap, not
 * the live set (docs/decisions.md §36). Measurement only; the services do not know it is there.
 */
import { appendFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';

export interface HeapProbeLine {
  /** `sample` on the interval; `gc` right after a full collection. */
  kind: 'sample' | 'gc';
  /** Epoch ms. */
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const file = process.env.BENCH_HEAP_PROBE_FILE;
if (file) {
  const write = (kind: HeapProbeLine['kind']) => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const line: HeapProbeLine = { kind, at: Date.now(), rss, heapTotal, heapUsed, external, arrayBuffers };
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // The benchmark removed its directory: nothing left to report to.
    }
  };
  setInterval(() => write('sample'), Number(process.env.BENCH_HEAP_PROBE_INTERVAL_MS ?? 10_000)).unref();
  // The observer runs just after the collection, before the program has allocated much again.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (((entry as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) write('gc');
    }
  }).observe({ entryTypes: ['gc'] });
}
