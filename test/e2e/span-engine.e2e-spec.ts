import { Logger } from '@nestjs/common';
import { AppConfig } from '@statusync/core';
import {
  dataSourceOptions,
  materialiseSchedule,
  SchedulesRepository,
  SpanRestoresRepository,
  SpansRepository,
  StatusUpdatesRepository,
  TimedSpan,
  UserScope,
} from '@statusync/db';
import { FireSpanEdgeJob, SlackDndJob, SlackDndProducer, SPAN_EDGES_QUEUE, SpanEdgeProducer, StatusSyncProducer, SyncStatusJob } from '@statusync/queue';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { SpanEdgeFirer } from '../../apps/scheduler/src/spans/span-edge-firer';
import { SpanEdgeWorker } from '../../apps/scheduler/src/spans/span-edge-worker';
import { SpanReconciler } from '../../apps/scheduler/src/spans/span-reconciler';
import { SpanUpdates } from '../../apps/scheduler/src/spans/span-updates';
import { dropOwnSchema, migrateOwnSchema } from '../support/own-schema';
import { testDb } from '../support/test-db';
import { E2E, queuePrefixFor } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * The span engine in process against the real Postgres and Redis (middle tier, no HTTP, no platforms):
 * edges fire once across replicas, a flushed Redis prefix loses and doubles nothing, recurrences land at the
 * right local time, and touching spans form one block.
 */
jest.setTimeout(60_000);

describe('span engine', () => {
  // Its own schema: the reconciler reads every user's due spans, and other files' meetings would count in its answers.
  let schema: string;
  let owner: Pool;
  const queuePrefix = queuePrefixFor('spans');
  const config = { database: { poolSize: 6 }, redis: { url: E2E.redisUrl, queuePrefix }, schedules: { reconcileIntervalMs: 3_600_000, jobHorizonMs: 600_000, materialiseDays: 14 } } as AppConfig;
  let app: DataSource;
  let queue: Queue;
  let redis: Redis;
  const enqueued: SyncStatusJob[] = [];
  const dndJobs: SlackDndJob[] = [];
  let scope: UserScope;
  const spans = () => new SpansRepository(app);
  const restores = new SpanRestoresRepository();
  let producer: SpanEdgeProducer;
  const firer = () =>
    new SpanEdgeFirer(scope, spans(), restores, new SpanUpdates(new StatusUpdatesRepository()), {
      enqueue: async (jobs: SyncStatusJob[]) => void enqueued.push(...jobs),
    } as unknown as StatusSyncProducer, { enqueue: async (jobs: SlackDndJob[]) => void dndJobs.push(...jobs) } as unknown as SlackDndProducer);
  const reconciler = () => new SpanReconciler(scope, new SchedulesRepository(app), spans(), producer, queue, config);

  async function newUser(): Promise<string> {
    const { rows } = await owner.query(`INSERT INTO users (subject) VALUES ('spans-' || gen_random_uuid()) RETURNING id`);
    for (const platform of ['github', 'slack']) {
      await owner.query(`INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id) VALUES ($1, $2, 'a', 'n', '\\x00', 'k')`, [rows[0].id, platform]);
    }
    return rows[0].id;
  }
  const status = { emoji: ':sandwich:', message: 'Lunch', limitedAvailability: false };
  const span = (key: string, start: number, end: number, s = status): TimedSpan => ({ occurrenceKey: key, startsAt: new Date(start), endsAt: new Date(end), status: s, platforms: null });
  const store = (userId: string, list: TimedSpan[]) =>
    scope.run(userId, (db) => spans().replaceForSource(db, { userId, source: 'calendar', sourceId: userId, spans: list }));
  const edges = async (userId: string) =>
    (await owner.query(`SELECT e.edge, e.outcome, s.occurrence_key AS key FROM span_edges e JOIN status_spans s ON s.id = e.span_id WHERE e.user_id = $1 ORDER BY e.fired_at, e.edge DESC`, [userId])).rows;
  const updates = async (userId: string) => (await owner.query(`SELECT kind, emoji, platforms, expires_at FROM status_updates WHERE user_id = $1 ORDER BY seq`, [userId])).rows;
  const job = (row: { id: string; userId: string; startsAt: Date; endsAt: Date | null }, edge: 'start' | 'end'): FireSpanEdgeJob => ({
    spanId: row.id,
    userId: row.userId,
    edge,
    at: (edge === 'start' ? row.startsAt : row.endsAt!).getTime(),
  });

  beforeAll(async () => {
    Logger.overrideLogger(false);
    schema = await migrateOwnSchema('spans');
    owner = testDb(schema);
    app = new DataSource(dataSourceOptions({ url: E2E.databaseUrl, schema, poolSize: 6, role: 'statusync_app' }));
    await app.initialize();
    scope = new UserScope(app);
    queue = new Queue(SPAN_EDGES_QUEUE, { connection: { url: E2E.redisUrl }, prefix: queuePrefix });
    producer = new SpanEdgeProducer(queue, config);
    redis = new Redis(E2E.redisUrl);
  });

  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await app?.destroy();
    if (owner) {
      await dropOwnSchema(owner, schema);
      await owner.end();
    }
  });

  /** Our own prefix only: the Redis is shared with other runs. */
  async function flushOwnPrefix(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  it('fires each edge once with two scheduler replicas taking the same jobs', async () => {
    const userId = await newUser();
    const now = Date.now();
    const { changed } = await store(userId, [span('a', now + 1_500, now + 3_000)]);
    const workers = [new SpanEdgeWorker(firer(), config), new SpanEdgeWorker(firer(), config)];
    workers.forEach((w) => w.onApplicationBootstrap());
    try {
      // Both replicas also enqueue the same jobs, as both reconcile.
      await producer.schedule(changed);
      await producer.schedule(changed);
      await Promise.all([firer().fire(job(changed[0], 'start'), new Date(now + 1_500)), firer().fire(job(changed[0], 'start'), new Date(now + 1_500))]);
      await waitFor(async () => (await edges(userId)).length === 2, 'both edges fired', 20_000, 100);
    } finally {
      await Promise.all(workers.map((w) => w.beforeApplicationShutdown()));
    }
    expect((await edges(userId)).map((e) => [e.edge, e.outcome])).toEqual([
      ['start', 'opened'],
      ['end', 'nothing-restored'], // no sync worker here read the platform back
    ]);
    expect(await updates(userId)).toHaveLength(1);
  });

  it('after its Redis prefix is flushed, reconcile re-adds the jobs: nothing lost, nothing fired twice', async () => {
    const userId = await newUser();
    const now = Date.now();
    const { changed } = await store(userId, [span('b', now + 2_000, now + 3_500)]);
    await producer.schedule(changed);
    expect(await flushOwnPrefix()).toBeGreaterThan(0);
    const worker = new SpanEdgeWorker(firer(), config);
    worker.onApplicationBootstrap();
    try {
      expect(await reconciler().reconcile()).toBeGreaterThanOrEqual(1);
      await waitFor(async () => (await edges(userId)).some((e) => e.edge === 'start'), 'the start edge', 20_000, 100);
      await flushOwnPrefix();
      await reconciler().reconcile();
      await waitFor(async () => (await edges(userId)).length === 2, 'the end edge', 20_000, 100);
      // Flushed once more after both fired: reconcile finds nothing due, and a replayed job is refused by Postgres.
      await flushOwnPrefix();
      expect(await reconciler().reconcile()).toBe(0);
      expect((await firer().fire(job(changed[0], 'start'))).outcome).toBe('duplicate');
    } finally {
      await worker.beforeApplicationShutdown();
    }
    expect((await edges(userId)).map((e) => e.edge)).toEqual(['start', 'end']);
    expect(await updates(userId)).toHaveLength(1);
  });

  it('a job for a span that moved or is gone claims nothing; an end cut short at a sub-millisecond instant still fires', async () => {
    const userId = await newUser();
    const t = Date.now() + 60_000;
    const { changed } = await store(userId, [span('m', t, t + 1_000)]);
    const [m] = changed;
    expect((await firer().fire({ ...job(m, 'start'), at: t - 1 }, new Date(t))).outcome).toBe('moved');
    expect((await firer().fire({ ...job(m, 'start'), spanId: '00000000-0000-4000-8000-000000000000' }, new Date(t))).outcome).toBe('gone');
    expect(await edges(userId)).toEqual([]);
    expect((await firer().fire(job(m, 'start'), new Date(t))).outcome).toBe('opened');
    // replaceForSource ends a running span at now(), which has microseconds; its job carries JavaScript's truncated ms.
    const { rows } = await owner.query(`UPDATE status_spans SET ends_at = $2::timestamptz + interval '123.789 milliseconds' WHERE id = $1 RETURNING ends_at`, [m.id, new Date(t + 500)]);
    const endsAt = rows[0].ends_at as Date;
    expect(endsAt.getTime()).toBe(t + 623);
    expect((await firer().fire({ ...job(m, 'end'), at: endsAt.getTime() + 1 }, endsAt)).outcome).toBe('moved');
    expect((await firer().fire({ ...job(m, 'end'), at: endsAt.getTime() }, endsAt)).outcome).toBe('nothing-restored');
    expect((await edges(userId)).map((e) => [e.edge, e.outcome])).toEqual([
      ['start', 'opened'],
      ['end', 'nothing-restored'],
    ]);
  });

  it('an opening start edge costs four statements: BEGIN, the claim with every read, the update with the block and the edge, COMMIT', async () => {
    const statements: string[] = [];
    const counted = new DataSource({
      ...dataSourceOptions({ url: E2E.databaseUrl, schema, poolSize: 2, role: 'statusync_app' }),
      logging: ['query'],
      logger: { logQuery: (query: string) => void statements.push(query), logQueryError: () => undefined, logQuerySlow: () => undefined, logSchemaBuild: () => undefined, logMigration: () => undefined, log: () => undefined },
    });
    await counted.initialize();
    try {
      const userId = await newUser();
      const t = Date.now() + 60_000;
      const { changed } = await store(userId, [span('rt', t, t + 1_000)]);
      const counting = new SpanEdgeFirer(new UserScope(counted), new SpansRepository(counted), restores, new SpanUpdates(new StatusUpdatesRepository()), {
        enqueue: async () => undefined,
      } as unknown as StatusSyncProducer, { enqueue: async () => undefined } as unknown as SlackDndProducer);
      statements.length = 0;
      expect((await counting.fire(job(changed[0], 'start'), new Date(t))).outcome).toBe('opened');
      expect(statements.map((query) => query.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
        'START TRANSACTION',
        'SELECT statusync_begin_span_edge($1,',
        'WITH created',
        'COMMIT',
      ]);
    } finally {
      await counted.destroy();
    }
  });

  it('materialises a weekday lunch at 12:00 Europe/Berlin on both sides of the DST change', async () => {
    const userId = await newUser();
    const stored = await scope.run(userId, async (db) => {
      const schedule = await new SchedulesRepository(app).create(db, {
        userId,
        status,
        platforms: null,
        templateId: null,
        templateName: null,
        startsAt: new Date('2027-03-22T11:00:00Z'),
        endsAt: new Date('2027-03-22T12:00:00Z'),
        rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
        timeZone: 'Europe/Berlin',
      });
      await materialiseSchedule(db, spans(), schedule, new Date('2027-03-25T00:00:00Z'), 6);
      return spans().listForSource(db, 'schedule', schedule.id, new Date('2027-03-20T00:00:00Z'), new Date('2027-04-10T00:00:00Z'));
    });
    expect(stored.map((s) => [s.startsAt.toISOString(), s.endsAt!.toISOString()])).toEqual([
      ['2027-03-25T11:00:00.000Z', '2027-03-25T12:00:00.000Z'],
      ['2027-03-26T11:00:00.000Z', '2027-03-26T12:00:00.000Z'],
      ['2027-03-29T10:00:00.000Z', '2027-03-29T11:00:00.000Z'],
      ['2027-03-30T10:00:00.000Z', '2027-03-30T11:00:00.000Z'],
    ]);
  });

  it.each([
    ['A ends, then B starts', ['a.end', 'b.start']],
    ['B starts, then A ends', ['b.start', 'a.end']],
  ])('merges back-to-back spans into one (%s): one set, no restore in between, one restore at the end', async (_name, order) => {
    const userId = await newUser();
    const t = Date.now() + 60_000;
    const { changed } = await store(userId, [span('a', t, t + 1_000), span('b', t + 1_000, t + 2_000)]);
    const [a, b] = changed;
    const at = (ms: number) => new Date(ms);
    expect((await firer().fire(job(a, 'start'), at(t))).outcome).toBe('opened');
    // What the sync worker's read-back would store: the platforms showed coffee before.
    for (const platform of ['github', 'slack']) await scope.selfScoped((db) => restores.capture(db, userId, platform, { emoji: ':coffee:', message: 'Coffee', expiresAt: null }));
    const steps: Record<string, () => Promise<unknown>> = {
      'a.end': () => firer().fire(job(a, 'end'), at(t + 1_000)),
      'b.start': () => firer().fire(job(b, 'start'), at(t + 1_000)),
    };
    for (const step of order) await steps[step]();
    expect((await firer().fire(job(b, 'end'), at(t + 2_000))).outcome).toBe('restored');
    const list = await updates(userId);
    // The set lasts the whole block (so the platform never clears it in between), then one restore per platform.
    expect(list).toEqual([
      { kind: 'set', emoji: ':sandwich:', platforms: ['github', 'slack'], expires_at: new Date(t + 2_000) },
      { kind: 'set', emoji: ':coffee:', platforms: ['github'], expires_at: null },
      { kind: 'set', emoji: ':coffee:', platforms: ['slack'], expires_at: null },
    ]);
  });

  it('switches to a back-to-back span with another status without restoring in between, and keeps a manual update', async () => {
    const userId = await newUser();
    const t = Date.now() + 60_000;
    const { changed } = await store(userId, [span('a', t, t + 1_000), span('b', t + 1_000, t + 2_000, { emoji: ':no_entry:', message: 'Focus', limitedAvailability: true })]);
    const [a, b] = changed;
    await firer().fire(job(a, 'start'), new Date(t));
    for (const platform of ['github', 'slack']) await scope.selfScoped((db) => restores.capture(db, userId, platform, { emoji: null, message: null, expiresAt: null }));
    expect((await firer().fire(job(b, 'start'), new Date(t + 1_000))).outcome).toBe('switched');
    expect((await firer().fire(job(a, 'end'), new Date(t + 1_000))).outcome).toBe('merged');
    await owner.query(`INSERT INTO status_updates (user_id, kind, emoji, platforms, source) VALUES ($1, 'set', ':palm_tree:', '{slack}', 'manual')`, [userId]);
    const end = await firer().fire(job(b, 'end'), new Date(t + 2_000));
    expect(end.updates.map((u) => [u.kind, u.platforms])).toEqual([['clear', ['github']]]);
    const { rows } = await owner.query(`SELECT platform, outcome FROM span_restores WHERE user_id = $1 ORDER BY platform`, [userId]);
    expect(rows).toEqual([
      { platform: 'github', outcome: 'restoring' },
      { platform: 'slack', outcome: 'kept-user-status' },
    ]);
  });

  it('asks for a Slack snooze when a DND span joins the block and ends it at its end, unless another DND span runs on', async () => {
    const userId = await newUser();
    const t = Date.now() + 60_000;
    const focus = { emoji: ':headphones:', message: 'Focusing', limitedAvailability: true };
    const { changed } = await store(userId, [
      { ...span('plain', t, t + 1_000), slackDnd: false },
      { ...span('f1', t + 1_000, t + 3_000, focus), slackDnd: true },
      { ...span('f2', t + 2_000, t + 4_000, focus), slackDnd: true },
    ]);
    const [plain, f1, f2] = changed;
    expect([plain.slackDnd, f1.slackDnd, f2.slackDnd]).toEqual([false, true, true]);
    dndJobs.length = 0;
    expect((await firer().fire(job(plain, 'start'), new Date(t))).dnd).toBeUndefined();
    expect((await firer().fire(job(f1, 'start'), new Date(t + 1_000))).dnd).toBe('snooze');
    await firer().fire(job(plain, 'end'), new Date(t + 1_000));
    expect((await firer().fire(job(f2, 'start'), new Date(t + 2_000))).dnd).toBe('snooze');
    // f2 still runs at f1's end: its own end ends the snooze.
    expect((await firer().fire(job(f1, 'end'), new Date(t + 3_000))).dnd).toBeUndefined();
    expect((await firer().fire(job(f2, 'end'), new Date(t + 4_000))).dnd).toBe('end');
    expect(dndJobs).toEqual([
      { userId, spanId: f1.id, action: 'snooze' },
      { userId, spanId: f2.id, action: 'snooze' },
      { userId, spanId: f2.id, action: 'end' },
    ]);
  });

  it('a DND span that never joined a block (missed) neither snoozes nor ends', async () => {
    const userId = await newUser();
    const t = Date.now() + 60_000;
    const { changed } = await store(userId, [{ ...span('late', t, t + 1_000), slackDnd: true }]);
    dndJobs.length = 0;
    expect((await firer().fire(job(changed[0], 'start'), new Date(t + 5_000))).outcome).toBe('missed');
    expect((await firer().fire(job(changed[0], 'end'), new Date(t + 5_000))).outcome).toBe('not-started');
    expect(dndJobs).toEqual([]);
  });
});
