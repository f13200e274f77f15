import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

let running: ChildProcess | undefined;

/** Runs the built benchmark (the code `npm run bench` runs) with `env`; resolves with its exit code and stderr. */
function runBench(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = (running = spawn(process.execPath, [join(ROOT, 'dist/bench/run.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/**
 * The benchmark must not rot: its burst (20 users, real ICS calendars read by the real poller, 300 ms fakes)
 * and soak (a steady rate through the gateway with every service) run through the same code as `npm run
 * bench`, into a results file of their own, and the file keeps the figures of phases it did not run.
 */
describe('benchmark smoke: burst and soak', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'statusync-bench-'));
  });

  afterAll(() => {
    // A timed-out run must not outlive the test (the benchmark kills its own services when it exits).
    if (running && running.exitCode === null) running.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every meeting start and restore, loses no soaked update, and writes every summary key', async () => {
    const file = join(dir, 'latest.json');
    // A figure from an earlier run of another phase must survive a partial run.
    writeFileSync(file, JSON.stringify({ gateway: { ratio: 0.42, rps: 400 }, load: { gateway: { start: 1, end: 1, max: 1 } } }));
    const { code, stderr } = await runBench({
      BENCH_PHASES: 'burst,soak',
      BENCH_RESULTS_FILE: file,
      BENCH_USERS: '50',
      BENCH_BURST_USERS: '20',
      BENCH_BURST_LEAD_SECONDS: '5',
      // Longer than a start takes under load: a start that lands after the end leaves nothing to restore (lost).
      BENCH_BURST_MEETING_SECONDS: '10',
      BENCH_BURST_BOUND_SECONDS: '30',
      BENCH_BURST_CONCURRENCY: '20',
      BENCH_SOAK_SECONDS: '15',
      BENCH_SOAK_RATE: '20',
      BENCH_SOAK_SAMPLE_SECONDS: '2',
      BENCH_SOAK_CONCURRENCY: '20',
    });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const results = JSON.parse(readFileSync(file, 'utf8'));
    expect(results.burst).toMatchObject({ users: 20, lost: 0, fakeLatencyMs: 300, start: { applied: 20 }, restore: { applied: 20 } });
    expect(results.burst.startP95Ms).toEqual(expect.any(Number));
    expect(results.burst.restoreP95Ms).toEqual(expect.any(Number));
    expect(results.soak).toMatchObject({ lost: 0, seconds: 15 });
    expect(results.soak.accepted).toBeGreaterThan(0);
    expect(results.soak.final).toBe(results.soak.recorded);
    expect(Object.keys(results.soak.rss).sort()).toEqual(['api-gateway', 'calendar-poller', 'scheduler', 'sync-worker']);
    expect(results.soak.rssGrowthPct).toEqual(expect.any(Number));
    // What the RSS is made of, from the heap probe inside each service (a live heap only if a full GC ran after the warm-up).
    for (const service of ['api-gateway', 'calendar-poller', 'scheduler', 'sync-worker']) {
      expect(results.soak.heap[service]).toMatchObject({ heapTotal: { endMb: expect.any(Number) }, external: { endMb: expect.any(Number) }, fullGcs: expect.any(Number) });
      expect(results.soak.heap[service].heapTotal.endMb).toBeGreaterThan(0);
    }
    // The phase's own Redis keys, by kind: the sync queues' jobs are there.
    expect(results.soak.redisOwn.end.keys).toBeGreaterThan(0);
    expect(Object.keys(results.soak.redisOwn.end.byKindMb)).toEqual(expect.arrayContaining(['status-sync-github', 'status-sync-slack']));
    for (const phase of ['burst', 'soak']) expect(results.load[phase]).toEqual({ start: expect.any(Number), end: expect.any(Number), max: expect.any(Number), date: expect.any(String) });

    // Kept from the earlier file; never measured: null with a reason.
    expect(results.gateway).toMatchObject({ ratio: 0.42, rps: 400 });
    expect(results.load.gateway).toEqual({ start: 1, end: 1, max: 1 });
    expect(results.history.p95Ms).toBeNull();
    expect(results.missing['history.p95Ms']).toMatch(/not measured/);
    for (const key of ['reference.rps', 'gateway.fixedRate.p99Ms', 'endToEnd.p95Ms', 'workers.jobsPerSecond300ms', 'workers.cpuMsPerJob']) {
      expect(results.missing[key]).toEqual(expect.any(String));
    }
    // 48 s at a load of 8–12; most of it is the start-up of seven services (90–110 s at a load of 13–15).
  }, 180_000);
});
