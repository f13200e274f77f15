import { execFileSync, fork } from 'node:child_process';
import { join } from 'node:path';
import { runWrk } from './load-wrk';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  connections: number;
  durationSeconds: number;
  /** Open loop: offer this many requests per second in total, whatever the answers take. */
  overallRate?: number;
  /** Bearer tokens, one per request in turn (distinct users). */
  tokens: string[];
  /** Paths, one per request in turn; by default the url's. */
  paths?: string[];
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** The load generator that produced these figures. */
  generator: string;
  /** CPU seconds the generator's own process used (autocannon reports its own; absent for wrk). */
  cpuSeconds?: number;
}

let wrkVersion: string | null | undefined;
/** wrk (Debian's `wrk` package) when installed; it needs no Node and little CPU. */
function wrkAvailable(): string | null {
  if (wrkVersion !== undefined) return wrkVersion;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'pipe' });
    wrkVersion = 'wrk';
  } catch (error) {
    // wrk prints its version and exits 1.
    const out = String((error as { stdout?: Buffer }).stdout ?? '');
    wrkVersion = out.startsWith('wrk') ? out.split(' ').slice(0, 2).join(' ') : null;
  }
  return wrkVersion;
}

/**
 * Never in the benchmark's own process (it would take the server's CPU): closed-loop saturation runs wrk (C, a
 * Lua script rotating tokens), open-loop fixed rates run autocannon in a child process (wrk cannot pace).
 * BENCH_GENERATOR=autocannon forces autocannon for both.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const wrk = process.env.BENCH_GENERATOR === 'autocannon' ? null : wrkAvailable();
  if (!options.overallRate && wrk) return runWrk(options, wrk);
  const child = fork(join(__dirname, 'load-autocannon-child.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load generator exited with ${code}`))));
    child.send(options);
  });
}
