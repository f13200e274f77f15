import { Logger } from '@nestjs/common';
import { dataSourceOptions, SpanRestoresRepository, SpansRepository, StatusUpdatesRepository, TimedSpan, UserScope } from '@statusync/db';
import { FireSpanEdgeJob, SlackDndProducer, StatusSyncProducer, SyncStatusJob, WebhookEmitter } from '@statusync/queue';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CalendarWebhookEvents } from '../../apps/scheduler/src/spans/calendar-webhook-events';
import { FireResult, SpanEdgeFirer } from '../../apps/scheduler/src/spans/span-edge-firer';
import { SpanUpdates } from '../../apps/scheduler/src/spans/span-updates';
import { E2E } from '../support/test-env';
import { openDatabases, seedUser } from './support/lease-db';
import { MEDIUM } from './support/medium-env';

/**
 * Span edges fired in groups, one transaction per group (docs/decisions.md §41), in-process as the scheduler's role
 * against the real Postgres: two replicas firing the same instant's edges, a group that equals firing one by one,
 * one user's failing edge inside a group, and what a group costs in statements.
 */
describe('span edges fired in groups', () => {
  let app: DataSource;
  let scope: UserScope;
  let admin: Pool;
  const enqueued: SyncStatusJob[] = [];
  const restores = new SpanRestoresRepository();
  const firer = (on: DataSource = app, onScope: UserScope = scope, events?: CalendarWebhookEvents) =>
    new SpanEdgeFirer(
      onScope,
      new SpansRepository(on),
      restores,
      new SpanUpdates(new StatusUpdatesRepository()),
      { enqueue: async (jobs: SyncStatusJob[]) => void enqueued.push(...jobs) } as unknown as StatusSyncProducer,
      { enqueue: async () => undefined } as unknown as SlackDndProducer,
      events,
    );

  beforeAll(async () => {
    Logger.overrideLogger(false);
    ({ app, scope, admin } = await openDatabases());
  });
  afterAll(async () => {
    await app?.destroy();
    await admin?.end();
  });

  async function newUser(): Promise<string> {
    const userId = await seedUser(admin, 'github');
    await admin.query(`INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id) VALUES ($1, 'slack', 'a', 'a', '\\x00', 'k')`, [userId]);
    return userId;
  }
  const status = { emoji: ':calendar:', message: 'In a meeting', limitedAvailability: false };
  const span = (key: string, start: number, end: number, shown = status): TimedSpan => ({ occurrenceKey: key, startsAt: new Date(start), endsAt: new Date(end), status: shown, platforms: null });
  async function store(userId: string, list: TimedSpan[]) {
    const { changed } = await scope.run(userId, (db) => new SpansRepository(app).replaceForSource(db, { userId, source: 'calendar', sourceId: userId, spans: list }));
    return new Map(changed.map((row) => [row.occurrenceKey, row]));
  }
  const job = (row: { id: string; userId: string; startsAt: Date; endsAt: Date | null }, edge: 'start' | 'end'): FireSpanEdgeJob => ({
    spanId: row.id,
    userId: row.userId,
    edge,
    at: (edge === 'start' ? row.startsAt : row.endsAt!).getTime(),
  });
  const outcomes = (results: (FireResult | Error)[]) => results.map((r) => (r instanceof Error ? 'error' : r.outcome));
  const edgesOf = async (userId: string) =>
    (await admin.query(`SELECT s.occurrence_key AS key, e.edge, e.outcome FROM span_edges e JOIN status_spans s ON s.id = e.span_id WHERE e.user_id = $1 ORDER BY e.fired_at`, [userId])).rows;
  const updatesOf = async (userId: string, t: number): Promise<Record<string, unknown>[]> =>
    (await admin.query(`SELECT kind, emoji, message, platforms, expires_at FROM status_updates WHERE user_id = $1 ORDER BY seq`, [userId])).rows.map(
      (row: { kind: string; emoji: string | null; message: string | null; platforms: string[]; expires_at: Date | null }) => ({ ...row, expires_at: row.expires_at ? row.expires_at.getTime() - t : null }),
    );

  it('two replicas firing the same instant as groups (in opposite orders) fire every edge once', async () => {
    const t = Date.now() + 60_000;
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser()));
    const jobs = await Promise.all(users.map(async (userId) => job((await store(userId, [span('m', t, t + 60_000)])).get('m')!, 'start')));
    const reversed = [...jobs].reverse();
    const [one, ...others] = await Promise.all([
      firer().fireGroup(jobs, new Date(t)),
      firer().fireGroup(reversed.slice(0, 4), new Date(t)),
      firer().fireGroup(reversed.slice(4), new Date(t)),
    ]);
    const two = [...others[0], ...others[1]].reverse();
    jobs.forEach((_, i) => expect([outcomes(one)[i], outcomes(two)[i]].sort()).toEqual(['duplicate', 'opened']));
    for (const userId of users) {
      expect(await edgesOf(userId)).toEqual([{ key: 'm', edge: 'start', outcome: 'opened' }]);
      expect(await updatesOf(userId, t)).toEqual([{ kind: 'set', emoji: ':calendar:', message: 'In a meeting', platforms: ['github', 'slack'], expires_at: 60_000 }]);
    }
    const mine = enqueued.filter((e) => users.includes(e.userId));
    expect(mine).toHaveLength(16);
    expect(new Set(mine.map((e) => `${e.updateId}:${e.platform}`)).size).toBe(16);
  });

  it("decides a user's simultaneous edges in one group exactly as one after the other", async () => {
    const t = Date.now() + 60_000;
    const [grouped, serial] = [await newUser(), await newUser()];
    const spans = [span('a', t, t + 1_000), span('b', t + 1_000, t + 2_000, { emoji: ':lunch:', message: 'Lunch', limitedAvailability: false })];
    const [g, s] = [await store(grouped, spans), await store(serial, spans)];
    expect(outcomes(await firer().fireGroup([job(g.get('a')!, 'start')], new Date(t)))).toEqual(['opened']);
    expect((await firer().fire(job(s.get('a')!, 'start'), new Date(t))).outcome).toBe('opened');
    // At t + 1 s, b's start and a's end are due together: one group for `grouped`, two transactions for `serial`.
    const inGroup = await firer().fireGroup([job(g.get('b')!, 'start'), job(g.get('a')!, 'end')], new Date(t + 1_000));
    const alone = [await firer().fire(job(s.get('b')!, 'start'), new Date(t + 1_000)), await firer().fire(job(s.get('a')!, 'end'), new Date(t + 1_000))];
    expect(outcomes(inGroup)).toEqual(outcomes(alone));
    expect(outcomes(inGroup)).toEqual(['switched', 'merged']);
    expect((await edgesOf(grouped)).map((e) => [e.key, e.edge, e.outcome])).toEqual((await edgesOf(serial)).map((e) => [e.key, e.edge, e.outcome]));
    expect(await updatesOf(grouped, t)).toEqual(await updatesOf(serial, t));
    expect((await updatesOf(grouped, t)).map((u) => u.message)).toEqual(['In a meeting', 'Lunch']);
  });

  it("fires the rest of a group when one user's edge fails, and answers that edge's own error", async () => {
    const t = Date.now() + 60_000;
    const [u1, u2] = [await newUser(), await newUser()];
    const a = job((await store(u1, [span('m', t, t + 60_000)])).get('m')!, 'start');
    const b = job((await store(u2, [span('m', t, t + 60_000)])).get('m')!, 'start');
    // An edge time Postgres refuses (out of bigint's range): that edge's statement fails, and with it the group's transaction.
    const broken: FireSpanEdgeJob = { ...a, at: 1e300 };
    const results = await firer().fireGroup([a, broken, b], new Date(t));
    expect(outcomes(results)).toEqual(['opened', 'error', 'opened']);
    expect((results[1] as Error).message).toMatch(/bigint/);
    expect(await edgesOf(u1)).toEqual([{ key: 'm', edge: 'start', outcome: 'opened' }]);
    expect(await edgesOf(u2)).toEqual([{ key: 'm', edge: 'start', outcome: 'opened' }]);
    await expect(firer().fire(broken, new Date(t))).rejects.toThrow(/bigint/);
  });

  it("costs one BEGIN and one COMMIT per group, and settles each edge in its update's statement, webhook events included: three opening starts are 8 statements, and so are their ends", async () => {
    const statements: string[] = [];
    const counted = new DataSource({
      ...dataSourceOptions({ url: E2E.databaseUrl, schema: MEDIUM.schema, poolSize: 2, role: 'statusync_app' }),
      logging: ['query'],
      logger: { logQuery: (query: string) => void statements.push(query), logQueryError: () => undefined, logQuerySlow: () => undefined, logSchemaBuild: () => undefined, logMigration: () => undefined, log: () => undefined },
    });
    await counted.initialize();
    const firstWords = () => statements.map((query) => query.trim().split(/\s+/).slice(0, 2).join(' '));
    try {
      const t = Date.now() + 60_000;
      const users = [await newUser(), await newUser(), await newUser()];
      // The second user has an endpoint for meetings: its deliveries come back from the statement that settles the edge.
      const [{ id: webhookId }] = (
        await admin.query(
          `INSERT INTO webhooks (user_id, scope, url, events, secret_ciphertext, secret_key_id) VALUES ($1, 'personal', 'https://hooks.example.com/x', '{calendar.meeting_started,calendar.meeting_ended}', '\\x00', 'k') RETURNING id`,
          [users[1]],
        )
      ).rows;
      const rows = await Promise.all(users.map(async (userId) => (await store(userId, [span('m', t, t + 60_000)])).get('m')!));
      statements.length = 0;
      const dispatched: { webhookId: string; ownerId: string }[] = [];
      const webhooks = { dispatch: async (targets: { webhookId: string; ownerId: string }[]) => void dispatched.push(...targets) } as unknown as WebhookEmitter;
      const counting = firer(counted, new UserScope(counted), new CalendarWebhookEvents(webhooks));
      expect(outcomes(await counting.fireGroup(rows.map((row) => job(row, 'start')), new Date(t)))).toEqual(['opened', 'opened', 'opened']);
      // Before §41: 3 × (BEGIN, the claim, the update, the block, the edge, the webhook events, COMMIT) = 21; before §48, 11.
      // Now: BEGIN, 3 × (the claim, the update with the block, the edge and its webhook events), COMMIT.
      const perEdge = ['SELECT statusync_begin_span_edge($1,', 'WITH created'];
      expect(firstWords()).toEqual(['START TRANSACTION', ...perEdge, ...perEdge, ...perEdge, 'COMMIT']);
      const settledEdges = async () =>
        (await admin.query(`SELECT user_id, edge, outcome, update_ids FROM span_edges WHERE user_id = ANY($1::uuid[]) ORDER BY user_id, fired_at`, [users])).rows;
      const updateIds = async (userId: string) => (await admin.query(`SELECT id FROM status_updates WHERE user_id = $1 ORDER BY seq`, [userId])).rows.map((row: { id: string }) => row.id);
      expect(await settledEdges()).toEqual(await Promise.all([...users].sort().map(async (userId) => ({ user_id: userId, edge: 'start', outcome: 'opened', update_ids: await updateIds(userId) }))));
      expect(dispatched).toEqual([expect.objectContaining({ webhookId, ownerId: users[1] })]);
      const { rows: recorded } = await admin.query(`SELECT event_type FROM webhook_deliveries WHERE webhook_id = $1`, [webhookId]);
      expect(recorded).toEqual([{ event_type: 'calendar.meeting_started' }]);

      // The end: both platforms had a status captured, so each gets a restore update, recorded with the block rows'
      // ends and the edge's outcome in one statement (before §48: one statement per restore, then the edge's).
      await admin.query(`UPDATE span_restores SET captured_at = now(), prev_emoji = ':palm_tree:', prev_message = 'Before' WHERE user_id = ANY($1::uuid[])`, [users]);
      statements.length = 0;
      dispatched.length = 0;
      expect(outcomes(await counting.fireGroup(rows.map((row) => job(row, 'end')), new Date(t + 60_000)))).toEqual(['restored', 'restored', 'restored']);
      const perEnd = ['SELECT statusync_begin_span_edge($1,', 'WITH created'];
      expect(firstWords()).toEqual(['START TRANSACTION', ...perEnd, ...perEnd, ...perEnd, 'COMMIT']);
      for (const userId of users) {
        const [opening, ...restoring] = await updateIds(userId);
        expect((await settledEdges()).filter((edge: { user_id: string }) => edge.user_id === userId)).toEqual([
          { user_id: userId, edge: 'start', outcome: 'opened', update_ids: [opening] },
          { user_id: userId, edge: 'end', outcome: 'restored', update_ids: restoring },
        ]);
        expect(restoring).toHaveLength(2);
      }
      expect(dispatched).toEqual([expect.objectContaining({ webhookId, ownerId: users[1] })]);
    } finally {
      await counted.destroy();
    }
  });
});
