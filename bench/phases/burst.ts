import { randomUUID } from 'node:crypto';
import { redactFeedUrl, sealFeedUrl } from '@statusync/calendar-feeds';
import { keyIdOf, TokenCipher } from '@statusync/core';
import { CALENDAR_JOB_OPTIONS, CALENDAR_POLL_QUEUE, calendarJobId, READ_CALENDAR_JOB } from '@statusync/queue';
import { Queue } from 'bullmq';
import { IcsFake } from '../../test/fakes/ics-fake';
import { CpuMeter, LoadAverage, postgresBackends, redisPid, trackLoad } from '../machine';
import { BenchEnv, BenchProcess, percentile, pollUntil, REDIS_URL, startService } from '../support';
import { BenchUser } from '../users';

export interface EdgeFigures {
  /** Users whose edge was applied on both platforms within the bound. */
  applied: number;
  /**
   * Percentiles over ALL users, a user not applied within the bound counting as slower than it: null when the
   * percentile falls among those (the figure is "more than the bound", not a number we could invent).
   */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** The same percentiles over the applied users only (how the ones that made it fared). */
  appliedOnly: { p50Ms: number | null; p95Ms: number | null; maxMs: number | null };
  /** From the edge's time to the scheduler firing it (span_edges.fired_at): the scheduler's share of the delay. */
  fired: { count: number; p50Ms: number | null; p95Ms: number | null };
  /** Per delivery of the edge's updates: its attempt as the worker timed it (claim to settle), and its time from the firing to its settle. */
  deliveries: { attemptP50Ms: number | null; attemptP95Ms: number | null; firedToSettledP50Ms: number | null; firedToSettledP95Ms: number | null };
  /** Per 5 s from the edge's time: edges fired and deliveries settled as succeeded (where the time went, over time). */
  timeline: { fromSecond: number; fired: number; settled: number }[];
}

export interface BurstFigures {
  users: number;
  fakeLatencyMs: number;
  workers: number;
  workerConcurrency: number;
  meetingSeconds: number;
  /** Seconds the poller took to read every calendar once (all of them before the meeting starts). */
  calendarsReadSeconds: number;
  start: EdgeFigures;
  restore: EdgeFigures;
  /** Users not applied on both platforms within `boundSeconds` of the start, or of the end. */
  lost: number;
  boundSeconds: number;
  /** What the span engine decided at each edge (span_edges.outcome), e.g. `nothing-restored` when the start never reached a platform before the end. */
  edgeOutcomes: Record<string, number>;
  load: { read: LoadAverage; start: LoadAverage; restore: LoadAverage };
  /**
   * CPU of the scheduler (its process and the Postgres backends of its pool) from an edge's time until every
   * user's edge of that kind was applied (or the bound), per user: the firing's cost per edge, plus the little
   * the reconcile and the outbox sweep do meanwhile. Redis is shared with the worker, so it is not counted here.
   */
  schedulerCpu: { start: SchedulerCpu; restore: SchedulerCpu };
  /**
   * CPU seconds over the same windows of everything else on the machine: the workers and their Postgres backends,
   * redis-server, the poller, and the benchmark's own process (the platform fakes, the ICS host, these polls).
   */
  otherCpuSeconds: { start: Record<string, number>; restore: Record<string, number> };
}

export interface SchedulerCpu {
  nodeMs: number;
  postgresMs: number;
  perEdgeMs: { node: number; postgres: number };
}

export interface BurstSettings {
  fakeLatencyMs: number;
  platformEnv: Record<string, string>;
  workers: number;
  workerConcurrency: number;
  meetingSeconds: number;
  /** Lower bound of the lead time: the meeting starts at least this long after the calendars exist. */
  leadSeconds: number;
  boundSeconds: number;
}

const stamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** One meeting per user, every one at the same instant (iCalendar has whole seconds). */
function meetingFeed(uid: string, start: Date, end: Date): string {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//statusync bench//EN', 'METHOD:PUBLISH',
    'BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:${stamp(new Date())}`, 'SUMMARY:All hands', `DTSTART:${stamp(start)}`, `DTEND:${stamp(end)}`, 'END:VEVENT',
    'END:VCALENDAR', '',
  ].join('\r\n');
}

/** Connects one ICS calendar per user straight in the database, sealed as the gateway seals it. */
async function connectCalendars(env: BenchEnv, users: BenchUser[], ics: IcsFake, start: Date, end: Date): Promise<{ calendarId: string; userId: string }[]> {
  const connected: { calendarId: string; userId: string }[] = [];
  const key = Buffer.from(env.env.TOKEN_ENCRYPTION_KEY, 'base64');
  const cipher = new TokenCipher([{ id: keyIdOf(key), key }]);
  for (let from = 0; from < users.length; from += 1000) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const user of users.slice(from, from + 1000)) {
      const id = randomUUID();
      connected.push({ calendarId: id, userId: user.id });
      const url = ics.serve(`/ical/${user.id}.ics`, meetingFeed(`burst-${user.id}`, start, end));
      const sealed = sealFeedUrl(cipher, user.id, id, url);
      const n = values.length;
      tuples.push(`($${n + 1}, $${n + 2}, 'ics', $${n + 3}, $${n + 4}, $${n + 5})`);
      values.push(id, user.id, sealed.ciphertext, sealed.keyId, redactFeedUrl(url));
    }
    await env.db.query(`INSERT INTO calendar_connections (id, user_id, type, url_ciphertext, url_key_id, url_hint) VALUES ${tuples.join(',')}`, values);
  }
  return connected;
}

/** Per user: when the edge's updates were applied on both platforms, measured from the edge's time. */
async function edgeTimes(env: BenchEnv, edge: 'start' | 'end'): Promise<{ userId: string; ms: number }[]> {
  const at = edge === 'start' ? 's.starts_at' : 's.ends_at';
  const { rows } = await env.db.query(
    `SELECT e.user_id AS "userId", extract(epoch FROM max(d.completed_at) - ${at}) * 1000 AS ms
     FROM span_edges e JOIN status_spans s ON s.id = e.span_id JOIN status_deliveries d ON d.update_id = ANY(e.update_ids)
     WHERE e.edge = $1 AND s.source = 'calendar'
     GROUP BY e.user_id, ${at}
     HAVING count(DISTINCT d.platform) FILTER (WHERE d.state = 'succeeded') = 2`,
    [edge],
  );
  return rows.map((row: { userId: string; ms: string }) => ({ userId: row.userId, ms: Number(row.ms) }));
}

/** The edge's deliveries: their attempts, their time from firing to settle, and fired/settled counts per 5 s. */
async function deliveryFigures(env: BenchEnv, edge: 'start' | 'end'): Promise<Pick<EdgeFigures, 'deliveries' | 'timeline'>> {
  const at = edge === 'start' ? 's.starts_at' : 's.ends_at';
  const { rows } = await env.db.query(
    `SELECT l.duration_ms AS attempt, extract(epoch FROM d.completed_at - e.fired_at) * 1000 AS settled_ms,
            extract(epoch FROM d.completed_at - ${at}) AS settled_s
     FROM span_edges e JOIN status_spans s ON s.id = e.span_id
     JOIN status_deliveries d ON d.update_id = ANY(e.update_ids) AND d.state = 'succeeded'
     JOIN sync_logs l ON l.update_id = d.update_id AND l.platform = d.platform AND l.outcome = 'succeeded'
     WHERE e.edge = $1 AND s.source = 'calendar'`,
    [edge],
  );
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const rounded = (values: number[], p: number) => (values.length === 0 ? null : Math.round(percentile(values, p)));
  const attempts = sorted(rows.map((row: { attempt: number }) => Number(row.attempt)));
  const settled = sorted(rows.map((row: { settled_ms: string }) => Number(row.settled_ms)));
  const timeline = new Map<number, { fromSecond: number; fired: number; settled: number }>();
  const bucket = (seconds: number) => {
    const fromSecond = Math.floor(seconds / 5) * 5;
    return timeline.get(fromSecond) ?? timeline.set(fromSecond, { fromSecond, fired: 0, settled: 0 }).get(fromSecond)!;
  };
  for (const row of rows as { settled_s: string }[]) bucket(Number(row.settled_s)).settled += 1;
  for (const ms of await firedTimes(env, edge)) bucket(ms / 1000).fired += 1;
  return {
    deliveries: { attemptP50Ms: rounded(attempts, 50), attemptP95Ms: rounded(attempts, 95), firedToSettledP50Ms: rounded(settled, 50), firedToSettledP95Ms: rounded(settled, 95) },
    timeline: [...timeline.values()].sort((a, b) => a.fromSecond - b.fromSecond),
  };
}

/** Per edge: from its time to the scheduler firing it. */
async function firedTimes(env: BenchEnv, edge: 'start' | 'end'): Promise<number[]> {
  const at = edge === 'start' ? 's.starts_at' : 's.ends_at';
  const { rows } = await env.db.query(
    `SELECT extract(epoch FROM e.fired_at - ${at}) * 1000 AS ms FROM span_edges e JOIN status_spans s ON s.id = e.span_id WHERE e.edge = $1 AND s.source = 'calendar'`,
    [edge],
  );
  return rows.map((row: { ms: string }) => Number(row.ms)).sort((a: number, b: number) => a - b);
}

function edgeFigures(times: { ms: number }[], users: number, boundMs: number, fired: number[], deliveries: Pick<EdgeFigures, 'deliveries' | 'timeline'>): EdgeFigures {
  const within = times.map((time) => time.ms).filter((ms) => ms <= boundMs).sort((a, b) => a - b);
  const all = [...within, ...Array<number>(users - within.length).fill(Infinity)];
  const overAll = (p: number) => {
    const value = percentile(all, p);
    return Number.isFinite(value) ? Math.round(value) : null;
  };
  const overApplied = (p: number) => (within.length === 0 ? null : Math.round(percentile(within, p)));
  return {
    applied: within.length,
    p50Ms: overAll(50),
    p95Ms: overAll(95),
    p99Ms: overAll(99),
    appliedOnly: { p50Ms: overApplied(50), p95Ms: overApplied(95), maxMs: within.length === 0 ? null : Math.round(within[within.length - 1]) },
    fired: {
      count: fired.length,
      p50Ms: fired.length === 0 ? null : Math.round(percentile(fired, 50)),
      p95Ms: fired.length === 0 ? null : Math.round(percentile(fired, 95)),
    },
    ...deliveries,
  };
}

/** Users whose start AND restore were applied on both platforms within the bound. */
function appliedBoth(starts: { userId: string; ms: number }[], restores: { userId: string; ms: number }[], boundMs: number): number {
  const started = new Set(starts.filter((time) => time.ms <= boundMs).map((time) => time.userId));
  return restores.filter((time) => time.ms <= boundMs && started.has(time.userId)).length;
}

/**
 * The burst (issue 10): N users, each with an ICS calendar whose meeting starts at the same instant, read by
 * the real poller; the scheduler's span engine sets "In a meeting" at the start and restores at the end; one
 * or more workers push both to platform fakes answering after `fakeLatencyMs`. Per user we measure the edge's
 * time to "applied on both platforms" (the later delivery's completed_at of the edge's updates).
 */
export async function burstPhase(env: BenchEnv, users: BenchUser[], settings: BurstSettings): Promise<BurstFigures> {
  const log = (line: string) => process.stderr.write(`bench: burst: ${line}\n`);
  const ics = await IcsFake.start();
  const services: BenchProcess[] = [];
  try {
    const serviceEnv = { ...env.env, ...settings.platformEnv, ALLOW_PRIVATE_URLS: 'true' };
    const schedulerApp = `statusync-bench-scheduler-${process.pid}`;
    // BENCH_SCHEDULER_CPU_PROF=<dir>: a V8 CPU profile of the scheduler (written when it exits): where a firing's CPU goes.
    const schedulerProfile = process.env.BENCH_SCHEDULER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SCHEDULER_CPU_PROF}`] : [];
    const poolSize = Math.max(4, Math.ceil(settings.workerConcurrency / 10));
    const workerApp = `statusync-bench-worker-${process.pid}`;
    const workerEnv = { ...serviceEnv, SYNC_CONCURRENCY: String(settings.workerConcurrency), DATABASE_POOL_SIZE: String(poolSize), PGAPPNAME: workerApp };
    services.push(
      ...(await Promise.all([
        startService('calendar-poller', serviceEnv),
        startService('scheduler', { ...serviceEnv, PGAPPNAME: schedulerApp }, schedulerProfile),
        ...Array.from({ length: settings.workers }, () => startService('sync-worker', workerEnv)),
      ])),
    );
    // Everything is up: the lead (the settings' floor, or 40 ms a calendar, whichever is longer) is reading time only.
    const leadMs = Math.max(settings.leadSeconds * 1000, users.length * 40);
    const start = new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000);
    const end = new Date(start.getTime() + settings.meetingSeconds * 1000);
    const readLoad = trackLoad();
    const readStarted = Date.now();
    const calendarIds = await connectCalendars(env, users, ics, start, end);
    // The first read is asked for exactly as the gateway asks when a calendar is connected (CalendarPollProducer).
    const queue = new Queue(CALENDAR_POLL_QUEUE, { connection: { url: REDIS_URL }, prefix: env.queuePrefix });
    for (let from = 0; from < calendarIds.length; from += 1000) {
      await queue.addBulk(
        calendarIds.slice(from, from + 1000).map(({ calendarId, userId }) => ({
          name: READ_CALENDAR_JOB,
          data: { calendarId, userId, force: true },
          opts: { ...CALENDAR_JOB_OPTIONS, jobId: calendarJobId(calendarId, Date.now()) },
        })),
      );
    }
    await queue.close();
    log(`${users.length} calendars, meeting ${start.toISOString()} – ${end.toISOString()}`);

    const allRead = await pollUntil(async () => {
      const { rows } = await env.db.query(`SELECT count(*)::int AS n FROM calendar_connections WHERE spans_computed_at IS NOT NULL`);
      return rows[0].n === users.length;
    }, Math.max(0, start.getTime() - Date.now() - 1_000));
    const calendarsReadSeconds = Math.round((Date.now() - readStarted) / 100) / 10;
    const read = readLoad.stop();
    if (!allRead) {
      const { rows } = await env.db.query(`SELECT state, last_error AS error, count(*)::int AS n FROM calendar_connections GROUP BY 1, 2`);
      throw new Error(`the poller did not read all ${users.length} calendars before the meeting (${JSON.stringify(rows)}); raise BENCH_BURST_LEAD_SECONDS`);
    }
    log(`all calendars read in ${calendarsReadSeconds} s; waiting for the start`);

    const boundMs = settings.boundSeconds * 1000;
    const redis = await redisPid(REDIS_URL);
    const measureEdge = async (edge: 'start' | 'end', at: Date) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at.getTime() - Date.now())));
      const load = trackLoad();
      const scheduler = services.find((service) => service.name === 'scheduler')!;
      const pidsOf = (name: string) => services.filter((service) => service.name === name).map((service) => service.pid);
      const meter = new CpuMeter(async () => ({
        node: [scheduler.pid],
        postgres: await postgresBackends(env.db, schedulerApp),
        workers: pidsOf('sync-worker'),
        workersPostgres: await postgresBackends(env.db, workerApp),
        poller: pidsOf('calendar-poller'),
        redis: redis === null ? [] : [redis],
        bench: [process.pid],
      }));
      await meter.begin();
      await pollUntil(
        async () => {
          await meter.sample();
          return (await edgeTimes(env, edge)).length === users.length;
        },
        at.getTime() + boundMs - Date.now(),
        1_000,
      );
      const cpu = await meter.end();
      const nodeMs = Math.round(cpu.node ?? 0);
      const postgresMs = Math.round(cpu.postgres ?? 0);
      const per = (ms: number) => Math.round((ms / users.length) * 100) / 100;
      const seconds = (ms: number | undefined) => Math.round((ms ?? 0) / 100) / 10;
      const others = Object.fromEntries(['workers', 'workersPostgres', 'poller', 'redis', 'bench'].map((group) => [group, seconds(cpu[group])]));
      return {
        times: await edgeTimes(env, edge),
        load: load.stop(),
        cpu: { nodeMs, postgresMs, perEdgeMs: { node: per(nodeMs), postgres: per(postgresMs) } },
        others,
      };
    };
    const started = await measureEdge('start', start);
    log(`start applied for ${started.times.length}/${users.length}`);
    const restored = await measureEdge('end', end);
    log(`restore applied for ${restored.times.length}/${users.length}`);

    const { rows: outcomes } = await env.db.query(`SELECT edge || ':' || outcome AS key, count(*)::int AS n FROM span_edges GROUP BY 1 ORDER BY 1`);
    const startFigures = edgeFigures(started.times, users.length, boundMs, await firedTimes(env, 'start'), await deliveryFigures(env, 'start'));
    const restoreFigures = edgeFigures(restored.times, users.length, boundMs, await firedTimes(env, 'end'), await deliveryFigures(env, 'end'));
    for (const [name, figures] of [['start', startFigures], ['restore', restoreFigures]] as const) {
      log(`${name} per 5 s (fired/settled): ${figures.timeline.map((b) => `${b.fromSecond}s ${b.fired}/${b.settled}`).join(', ')}`);
    }
    return {
      users: users.length,
      fakeLatencyMs: settings.fakeLatencyMs,
      workers: settings.workers,
      workerConcurrency: settings.workerConcurrency,
      meetingSeconds: settings.meetingSeconds,
      calendarsReadSeconds,
      start: startFigures,
      restore: restoreFigures,
      lost: users.length - appliedBoth(started.times, restored.times, boundMs),
      boundSeconds: settings.boundSeconds,
      edgeOutcomes: Object.fromEntries(outcomes.map((row: { key: string; n: number }) => [row.key, row.n])),
      load: { read, start: started.load, restore: restored.load },
      schedulerCpu: { start: started.cpu, restore: restored.cpu },
      otherCpuSeconds: { start: started.others, restore: restored.others },
    };
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await ics.close();
  }
}
