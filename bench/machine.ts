import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import Redis from 'ioredis';
import { Pool } from 'pg';

/**
 * What the machine was doing while a figure was taken, and what a set of processes cost in CPU. The machine is
 * shared (other builds and test suites run beside the benchmark), so every figure carries the load average seen
 * while it was measured, and CPU is counted per process id, never machine-wide.
 */

const round2 = (value: number) => Math.round(value * 100) / 100;

export interface LoadAverage {
  /** 1-minute load average when the measurement started, when it ended, and the highest sampled in between. */
  start: number;
  end: number;
  max: number;
}

/** Samples the 1-minute load average every 5 s until `stop()`. */
export function trackLoad(): { stop(): LoadAverage } {
  const start = round2(loadavg()[0]);
  let max = start;
  const timer = setInterval(() => (max = Math.max(max, round2(loadavg()[0]))), 5_000);
  return {
    stop() {
      clearInterval(timer);
      const end = round2(loadavg()[0]);
      return { start, end, max: Math.max(max, end) };
    },
  };
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of one process in ms, or null when it is gone. */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

/** Resident set size of one process in MB, or null when it is gone. */
export function rssMbOf(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** The pid of the redis-server the benchmark talks to (INFO names it; a pgrep could find another one). */
export async function redisPid(url: string): Promise<number | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const match = /process_id:(\d+)/.exec(await redis.info('server'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Redis `used_memory` in MB (the whole server: other users of a shared Redis count too). */
export async function redisUsedMemoryMb(url: string): Promise<number | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const match = /used_memory:(\d+)/.exec(await redis.info('memory'));
    return match ? Math.round((Number(match[1]) / 2 ** 20) * 10) / 10 : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Postgres backends serving connections that announced `applicationName` (PGAPPNAME of a benchmarked process). */
export async function postgresBackends(db: Pool, applicationName: string): Promise<number[]> {
  const { rows } = await db.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend'`, [applicationName]);
  return rows.map((row: { pid: number }) => row.pid);
}

/**
 * CPU spent by a set of processes between `begin()` and `end()`. Processes that appear later (a pool opening a
 * connection) count from zero, which is right: their whole life falls inside the window. A process that exits
 * inside the window loses its last slice (we cannot read a dead process), so stop nothing before `end()`.
 */
export class CpuMeter {
  private readonly before = new Map<number, number>();
  private readonly seen = new Map<number, { group: string; last: number }>();

  constructor(private readonly groups: () => Promise<Record<string, number[]>>) {}

  async begin(): Promise<void> {
    for (const [group, pids] of Object.entries(await this.groups())) {
      for (const pid of pids) {
        const cpu = cpuMsOf(pid);
        if (cpu === null) continue;
        this.before.set(pid, cpu);
        this.seen.set(pid, { group, last: cpu });
      }
    }
  }

  /** Call now and then during the window, so short-lived backends are not missed entirely. */
  async sample(): Promise<void> {
    for (const [group, pids] of Object.entries(await this.groups())) {
      for (const pid of pids) {
        const cpu = cpuMsOf(pid);
        if (cpu === null) continue;
        if (!this.before.has(pid)) this.before.set(pid, 0);
        this.seen.set(pid, { group, last: cpu });
      }
    }
  }

  /** CPU ms per group over the window. */
  async end(): Promise<Record<string, number>> {
    await this.sample();
    const totals: Record<string, number> = {};
    for (const [pid, { group, last }] of this.seen) {
      totals[group] = (totals[group] ?? 0) + Math.max(0, last - (this.before.get(pid) ?? 0));
    }
    return totals;
  }
}

export interface RedisKeysMemory {
  keys: number;
  totalMb: number;
  byKindMb: Record<string, number>;
}

/**
 * Memory of the keys under one prefix (MEMORY USAGE of each, summed by the key's first segment after the prefix:
 * a queue name, `live`, `write-budget`, …), in MB. Unlike `used_memory`, other users of a shared Redis do not count.
 */
export async function redisPrefixMemoryMb(url: string, prefix: string): Promise<RedisKeysMemory | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const bytes = new Map<string, number>();
    let keys = 0;
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (batch.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      const answers = (await pipeline.exec()) ?? [];
      batch.forEach((key, i) => {
        const kind = key.slice(prefix.length + 1).split(':')[0];
        bytes.set(kind, (bytes.get(kind) ?? 0) + (Number(answers[i]?.[1]) || 0));
      });
      keys += batch.length;
    } while (cursor !== '0');
    const mb = (value: number) => Math.round((value / 2 ** 20) * 10) / 10;
    const byKindMb = Object.fromEntries([...bytes].sort((a, b) => b[1] - a[1]).map(([kind, value]) => [kind, mb(value)]));
    return { keys, totalMb: mb([...bytes.values()].reduce((a, b) => a + b, 0)), byKindMb };
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}
