import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HeapProbeLine } from '../heap-probe';
import { runLoad } from '../load';
import { LoadAverage, RedisKeysMemory, redisPrefixMemoryMb, redisUsedMemoryMb, rssMbOf, trackLoad } from '../machine';
import { MemorySeries, series } from '../memory-series';
import { BenchEnv, BenchProcess, pollUntil, REDIS_URL, ROOT, startService, tokenFor } from '../support';
import { BenchUser } from '../users';

export type { MemorySeries } from '../memory-series';

/** What the RSS is made of (docs/decisions.md §36): a leak grows `liveHeap`; V8 sizing its heap grows `heapTotal` only. */
export interface HeapFigures {
  /** Heap V8 has reserved (sampled like the RSS): the RSS follows it. */
  heapTotal: MemorySeries | null;
  /** Heap in use right after each full garbage collection: the live set. */
  liveHeap: MemorySeries | null;
  /** Memory outside the V8 heap (Buffers, sockets' array buffers). */
  external: MemorySeries | null;
  /** Full collections after the warm-up (each is one sample of `liveHeap`). */
  fullGcs: number;
}

/** The phase's own Redis keys (its prefix), by first segment after the prefix (a queue, `live`, …). */
export interface RedisPrefixFigures {
  afterWarmUp: RedisKeysMemory | null;
  end: RedisKeysMemory | null;
}

export interface SoakFigures {
  seconds: number;
  offeredRps: number;
  /** 202s the load generator counted (it may miss answers still in flight when it stops) and updates recorded. */
  accepted: number;
  recorded: number;
  /** Updates whose every delivery ended (succeeded, superseded or failed), and how they ended. */
  final: number;
  outcomes: Record<string, number>;
  /** Accepted updates not final within two minutes after the load stopped (or never recorded). */
  lost: number;
  warmUpSeconds: number;
  sampleSeconds: number;
  /** LIVE_RESUME_WINDOW_SECONDS during the soak: half the warm-up, so the live streams are full before it ends. */
  liveResumeWindowSeconds: number;
  rss: Record<string, MemorySeries>;
  /** Largest RSS growth of any service after warm-up. */
  rssGrowthPct: number;
  /** What each service's memory is made of (from bench/heap-probe.ts inside it). */
  heap: Record<string, HeapFigures>;
  /**
   * Each service's memory over the run, so a growth figure can be judged by its curve (a leak climbs; V8 sizing its
   * heap swings): `byMinute` as [minute, highest RSS MB, highest heap reserved MB], `liveHeap` as [seconds, MB in
   * use after a full GC].
   */
  curves: Record<string, { byMinute: [number, number, number][]; liveHeap: [number, number][] }>;
  /** Largest live-heap growth of any service after warm-up: a leak shows here whatever the allocator does. */
  liveHeapGrowthPct: number | null;
  /** Redis used_memory (the whole server: shared with anything else on it). */
  redis: MemorySeries | null;
  /** The memory of this phase's own keys: retained jobs and live streams fill up to their caps. */
  redisOwn: RedisPrefixFigures;
  load: LoadAverage;
}

/**
 * A steady rate of updates through the gateway for a long time, with every service running: RSS of each and
 * Redis used_memory sampled every `sampleSeconds`; growth is measured after the warm-up, and every accepted
 * update must end final (applied, superseded by a newer one, or failed with a reason).
 */
export async function soakPhase(
  env: BenchEnv,
  users: BenchUser[],
  settings: { seconds: number; rate: number; sampleSeconds: number; warmUpSeconds: number; workerConcurrency: number; platformEnv: Record<string, string> },
): Promise<SoakFigures> {
  const load = trackLoad();
  // The live streams keep one resume window of events (an hour by default): a soak whose warm-up ends before the
  // window is full would count the streams filling up as growth. Half the warm-up keeps the streams' size steady
  // after it, so what grows is a leak (docs/decisions.md §46). The schema's floor is a minute.
  const liveResumeWindowSeconds = Math.max(60, Math.floor(settings.warmUpSeconds / 2));
  const serviceEnv = { ...env.env, ...settings.platformEnv, ALLOW_PRIVATE_URLS: 'true', LIVE_RESUME_WINDOW_SECONDS: String(liveResumeWindowSeconds) };
  const workerEnv = { ...serviceEnv, SYNC_CONCURRENCY: String(settings.workerConcurrency), DATABASE_POOL_SIZE: String(Math.max(4, Math.ceil(settings.workerConcurrency / 10))) };
  const probeDir = mkdtempSync(join(tmpdir(), 'statusync-soak-'));
  const probed = (name: string, serviceEnv: Record<string, string>) =>
    startService(name, { ...serviceEnv, BENCH_HEAP_PROBE_FILE: join(probeDir, `${name}.jsonl`), BENCH_HEAP_PROBE_INTERVAL_MS: String(settings.sampleSeconds * 1000) }, [
      '--require',
      join(ROOT, 'dist/bench/heap-probe.js'),
    ]);
  const services: BenchProcess[] = await Promise.all([
    probed('api-gateway', serviceEnv),
    probed('sync-worker', workerEnv),
    probed('scheduler', serviceEnv),
    probed('calendar-poller', serviceEnv),
  ]);
  try {
    const [gateway] = services;
    const { rows: before } = await env.db.query(`SELECT coalesce(max(seq), 0) AS seq FROM status_updates`);
    const since = before[0].seq;
    const started = Date.now();
    const rss = new Map<string, { at: number; mb: number }[]>(services.map((service) => [service.name, []]));
    const redis: { at: number; mb: number }[] = [];
    const sample = async () => {
      const at = Date.now() - started;
      for (const service of services) {
        const mb = rssMbOf(service.pid);
        if (mb !== null) rss.get(service.name)!.push({ at, mb });
      }
      const mb = await redisUsedMemoryMb(REDIS_URL);
      if (mb !== null) redis.push({ at, mb });
    };
    await sample();
    const sampler = setInterval(() => void sample(), settings.sampleSeconds * 1000);
    let redisAfterWarmUp: Promise<RedisPrefixFigures['afterWarmUp']> = Promise.resolve(null);
    const warmUpTimer = setTimeout(() => (redisAfterWarmUp = redisPrefixMemoryMb(REDIS_URL, env.queuePrefix)), settings.warmUpSeconds * 1000);
    const result = await runLoad({
      url: `${gateway.url}/api/v1/status/update`,
      method: 'POST',
      body: JSON.stringify({ emoji: ':coffee:', message: 'Soaking', durationMinutes: 15 }),
      connections: 20,
      durationSeconds: settings.seconds,
      overallRate: settings.rate,
      tokens: users.map((user) => tokenFor(user.subject)),
    }).finally(() => {
      clearInterval(sampler);
      clearTimeout(warmUpTimer);
    });
    await sample();
    const redisOwn = { afterWarmUp: await redisAfterWarmUp, end: await redisPrefixMemoryMb(REDIS_URL, env.queuePrefix) };
    const heapLines = Object.fromEntries(services.map((service) => [service.name, readProbe(join(probeDir, `${service.name}.jsonl`), started)]));

    const pendingCount = async () => {
      const { rows } = await env.db.query(
        `SELECT count(DISTINCT u.id)::int AS n FROM status_updates u JOIN status_deliveries d ON d.update_id = u.id WHERE u.seq > $1 AND d.state = 'pending'`,
        [since],
      );
      return rows[0].n as number;
    };
    await pollUntil(async () => (await pendingCount()) === 0, 120_000, 1_000);
    const { rows: counts } = await env.db.query(
      `SELECT count(DISTINCT u.id)::int AS updates FROM status_updates u WHERE u.seq > $1`,
      [since],
    );
    const { rows: states } = await env.db.query(
      `SELECT d.state, count(*)::int AS n FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id WHERE u.seq > $1 GROUP BY d.state`,
      [since],
    );
    const accepted = result.statusCodes['202'] ?? 0;
    const pending = await pendingCount();
    const recorded = counts[0].updates as number;
    const warmUpEnd = settings.warmUpSeconds * 1000;
    const rssSeries = Object.fromEntries([...rss].map(([name, samples]) => [name, series(samples, warmUpEnd)]).filter(([, s]) => s !== null)) as Record<string, MemorySeries>;
    const heap = Object.fromEntries(Object.entries(heapLines).map(([name, lines]) => [name, heapFigures(lines, warmUpEnd)]));
    const liveGrowths = Object.values(heap).flatMap((h) => (h.liveHeap ? [h.liveHeap.growthPct] : []));
    return {
      seconds: settings.seconds,
      offeredRps: settings.rate,
      accepted,
      recorded,
      final: recorded - pending,
      outcomes: Object.fromEntries(states.map((row: { state: string; n: number }) => [row.state, row.n])),
      lost: pending + Math.max(0, accepted - recorded),
      warmUpSeconds: settings.warmUpSeconds,
      sampleSeconds: settings.sampleSeconds,
      liveResumeWindowSeconds,
      rss: rssSeries,
      rssGrowthPct: Math.max(...Object.values(rssSeries).map((s) => s.growthPct)),
      heap,
      curves: Object.fromEntries(Object.entries(heapLines).map(([name, lines]) => [name, curveOf(lines)])),
      liveHeapGrowthPct: liveGrowths.length > 0 ? Math.max(...liveGrowths) : null,
      redis: series(redis, warmUpEnd),
      redisOwn,
      load: load.stop(),
    };
  } finally {
    load.stop();
    await Promise.all(services.map((service) => service.stop()));
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/** The heap probe's lines of one service, as MB at ms since the phase started. */
function readProbe(file: string, started: number): (Omit<HeapProbeLine, 'at'> & { at: number })[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HeapProbeLine)
    .map((line) => ({ ...line, at: line.at - started, rss: mb(line.rss), heapTotal: mb(line.heapTotal), heapUsed: mb(line.heapUsed), external: mb(line.external), arrayBuffers: mb(line.arrayBuffers) }));
}

function curveOf(lines: ReturnType<typeof readProbe>): SoakFigures['curves'][string] {
  const minutes = new Map<number, [number, number, number]>();
  for (const line of lines.filter((line) => line.kind === 'sample')) {
    const minute = Math.max(0, Math.floor(line.at / 60_000));
    const [, rss, heapTotal] = minutes.get(minute) ?? [minute, 0, 0];
    minutes.set(minute, [minute, Math.max(rss, line.rss), Math.max(heapTotal, line.heapTotal)]);
  }
  return {
    byMinute: [...minutes.values()],
    liveHeap: lines.filter((line) => line.kind === 'gc').map((line) => [Math.round(line.at / 1000), line.heapUsed]),
  };
}

function heapFigures(lines: ReturnType<typeof readProbe>, warmUpEnd: number): HeapFigures {
  const samples = lines.filter((line) => line.kind === 'sample');
  const gcs = lines.filter((line) => line.kind === 'gc');
  return {
    heapTotal: series(samples.map((line) => ({ at: line.at, mb: line.heapTotal })), warmUpEnd),
    liveHeap: series(gcs.map((line) => ({ at: line.at, mb: line.heapUsed })), warmUpEnd),
    external: series(samples.map((line) => ({ at: line.at, mb: line.external })), warmUpEnd),
    fullGcs: gcs.filter((line) => line.at >= warmUpEnd).length,
  };
}
