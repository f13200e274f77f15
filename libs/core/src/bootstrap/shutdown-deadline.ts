/** What the deadline needs of the process: the stop signals, its open resources, and a way out. */
export interface ShutdownTarget {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  getActiveResourcesInfo(): string[];
  exit(code: number): never;
}

/**
 * Bounds the graceful shutdown Nest runs on SIGTERM/SIGINT (it waits for every hook, however long). A hook that
 * never ends (a job that never finishes, a connection that never closes) would otherwise hold the process until
 * the orchestrator's SIGKILL, which logs nothing and skips the exit handlers (the log flush). At the deadline the
 * process says what it still had open and exits 1; a crashed worker's jobs are taken over as with any crash.
 */
export function armShutdownDeadline(
  timeoutMs: number,
  onExpired: (details: { timeoutMs: number; pending: string[] }) => void,
  target: ShutdownTarget = process,
  signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): void {
  let armed = false;
  const arm = () => {
    if (armed) return;
    armed = true;
    // Unref'd: a shutdown that finishes in time exits without waiting for it.
    setTimeout(() => {
      onExpired({ timeoutMs, pending: target.getActiveResourcesInfo() });
      target.exit(1);
    }, timeoutMs).unref();
  };
  for (const signal of signals) target.once(signal, arm);
}
