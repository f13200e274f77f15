import { ChaosStack } from './chaos-stack';
import { ChaosReport, checkInvariants, FaultWindow, summaryLine, waitUntilFinal } from './invariants';
import { LoadDriver, Sent, sleep } from './load-driver';

export interface ScenarioContext {
  stack: ChaosStack;
  /** Resolves `ms` after the load started. */
  at(ms: number): Promise<void>;
  /** Runs `fault` and records its duration as a fault window named `name`. */
  window(name: string, fault: () => Promise<void>): Promise<void>;
}

export interface ScenarioOptions {
  /** How long the stream runs; the fault is injected while it does. */
  loadMs: number;
  inject(context: ScenarioContext): Promise<void>;
  /** How long every accepted update may take to become final after the stream stopped. */
  drainTimeoutMs?: number;
}

export interface ScenarioResult {
  report: ChaosReport;
  sent: Sent[];
  windows: FaultWindow[];
  clientTimeoutMs: number;
  /** From the first request to the last answer, and from there until nothing was pending. */
  loadMs: number;
  drainMs: number;
  /** Deliveries the scheduler's outbox sweep had to enqueue again (from its log). */
  revivedByOutboxSweep: number;
}

/** Stream, fault, recovery, stop, drain, check. */
export async function runScenario(stack: ChaosStack, options: ScenarioOptions): Promise<ScenarioResult> {
  const driver = new LoadDriver(stack.gatewayUrl, stack.users, { tag: stack.label });
  const windows: FaultWindow[] = [];
  const t0 = Date.now();
  driver.start();
  try {
    await options.inject({
      stack,
      at: async (ms) => {
        await sleep(Math.max(0, t0 + ms - Date.now()));
      },
      async window(name, fault) {
        const from = Date.now();
        try {
          await fault();
        } finally {
          windows.push({ name, from, to: Date.now() });
        }
      },
    });
    await sleep(Math.max(0, t0 + options.loadMs - Date.now()));
  } finally {
    await driver.stop();
  }
  const loadMs = Date.now() - t0;
  const drainMs = await waitUntilFinal(stack, options.drainTimeoutMs ?? 60_000);
  const report = await checkInvariants(stack, driver.sent);
  const revivedByOutboxSweep = [...stack.logs('scheduler').matchAll(/"revived":(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
  return { report, sent: driver.sent, windows, clientTimeoutMs: driver.clientTimeoutMs, loadMs, drainMs, revivedByOutboxSweep };
}

/** A line of details, then the one-line summary the issue asks for. */
export function printResult(label: string, result: ScenarioResult): void {
  const { report, windows, sent } = result;
  const faults = windows.map((w) => `${w.name} ${((w.to - w.from) / 1000).toFixed(1)} s`).join(', ');
  const answers = Object.entries(report.notes.answers)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  const codes = Object.entries(report.notes.failureCodes)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
  const details =
    `chaos ${label}: ${sent.length} requests in ${(result.loadMs / 1000).toFixed(1)} s (${answers}; max ${report.notes.maxLatencyMs} ms), ` +
    `faults: ${faults}; all final ${(result.drainMs / 1000).toFixed(1)} s after the stream; outbox sweep re-enqueued ${result.revivedByOutboxSweep}; ` +
    `duplicate writes ${report.notes.duplicateWrites}, ` +
    `late landings ${report.notes.lateLandings}, last update failed ${report.notes.lastUpdateFailed}${codes ? `, failures: ${codes}` : ''}`;
  const duplicates = report.notes.duplicates.length > 0 ? `\n  duplicates (at least once): ${report.notes.duplicates.slice(0, 10).join('; ')}` : '';
  process.stdout.write(`\n${details}${duplicates}\n${summaryLine(report)}\n`);
}

/** The invariants every scenario must meet. */
export function expectInvariants(result: ScenarioResult): void {
  const { report } = result;
  expect(report.violations.gateway).toEqual([]);
  expect(report.violations.outcomes).toEqual([]);
  expect(report.violations.unacknowledged).toEqual([]);
  expect(report.violations.lastWriteWins).toEqual([]);
  expect(report.violations.regressions).toEqual([]);
  expect(report.counts.lost).toBe(0);
  expect(report.counts.accepted).toBeGreaterThan(0);
  // Nothing waited anywhere near the client timeout, which would mean the gateway hung on a dependency.
  expect(report.notes.maxLatencyMs).toBeLessThan(result.clientTimeoutMs);
}

/** Requests sent at least `graceMs` after every fault window ended: the gateway has recovered by itself. */
export function sentAfterRecovery(result: ScenarioResult, graceMs: number): Sent[] {
  const recovered = Math.max(...result.windows.map((w) => w.to)) + graceMs;
  return result.sent.filter((s) => s.startedAt >= recovered);
}

/** Requests sent while a fault window was open. */
export function sentDuring(result: ScenarioResult, name: string): Sent[] {
  const window = result.windows.find((w) => w.name === name);
  if (!window) throw new Error(`no fault window named ${name}`);
  return result.sent.filter((s) => s.startedAt >= window.from && s.startedAt <= window.to);
}
