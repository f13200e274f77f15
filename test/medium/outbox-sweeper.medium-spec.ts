import { DeliveriesRepository } from '@statusync/db';
import { syncJobId } from '@statusync/queue';
import { OutboxSweeper, SWEEP_PAGE_SIZE } from '../../apps/scheduler/src/outbox-sweeper';
import { outboxWorld } from './support/outbox-world';
/**
 * Middle tier (in process, real Postgres and Redis, no HTTP): the outbox sweep pages past a long outage's
 * legitimately pending deliveries (each with a live job) and still re-enqueues a newer one whose job was lost.
 */
describe('outbox sweep (keyset pages, pipelined job checks, one sweeper per tick)', () => {
  const { prefix, config, admin, dataSource, producer, sweeper, close } = outboxWorld('outbox-medium');
  const legit = SWEEP_PAGE_SIZE + 150;

  beforeAll(async () => {
    await dataSource.initialize();
    // The sweep covers the whole schema, which the middle tier's other files share: whatever pending deliveries
    // they left behind would be swept too and counted here.
    await admin.query(`DELETE FROM status_deliveries WHERE state = 'pending'`);
    const { rows } = await admin.query(`INSERT INTO users (subject) VALUES ($1) RETURNING id`, [`outbox-${prefix}`]);
    const userId = rows[0].id as string;
    // A long GitHub outage: many pending deliveries, an hour old, each with its job waiting in Redis.
    const { rows: updates } = await admin.query(
      `WITH u AS (INSERT INTO status_updates (user_id, kind, emoji, platforms, created_at)
                  SELECT $1, 'set', ':x:', ARRAY['github'], now() - interval '1 hour' FROM generate_series(1, $2) RETURNING id, created_at)
       INSERT INTO status_deliveries (update_id, platform, user_id, created_at) SELECT id, 'github', $1, created_at FROM u RETURNING update_id`,
      [userId, legit],
    );
    await producer.enqueue(updates.map((u: { update_id: string }) => ({ updateId: u.update_id, platform: 'github' as const, userId, requestId: null })));
    // Newer (ten minutes old, still past the sweep age) and lost: its job never reached Redis.
    await admin.query(
      `WITH u AS (INSERT INTO status_updates (user_id, kind, emoji, platforms, created_at) VALUES ($1, 'set', ':y:', ARRAY['slack'], now() - interval '10 minutes') RETURNING id, created_at)
       INSERT INTO status_deliveries (update_id, platform, user_id, created_at) SELECT id, 'slack', $1, created_at FROM u`,
      [userId],
    );
  }, 60_000);

  afterAll(async () => {
    await close();
  });

  it(`re-enqueues the lost delivery behind ${legit} legitimately pending ones, and only it`, async () => {
    const { rows } = await admin.query(`SELECT update_id FROM status_deliveries WHERE platform = 'slack' AND state = 'pending'`);
    const lostJob = syncJobId(rows[0].update_id, 'slack');
    expect(await producer.queueFor('slack').getJob(lostJob)).toBeUndefined();
    expect(await sweeper.sweep()).toBe(1);
    expect(await producer.queueFor('slack').getJob(lostJob)).toBeDefined();
    expect(await producer.queueFor('github').count()).toBe(legit);
    // Nothing left to revive.
    expect(await sweeper.sweep()).toBe(0);
  });

  it('sweeps once per tick across replicas: a second scheduler in the same tick skips', async () => {
    const other = new OutboxSweeper(new DeliveriesRepository(dataSource), producer, config);
    const calls: string[] = [];
    for (const [name, instance] of [['first', sweeper], ['second', other]] as const) {
      const sweep = instance.sweep.bind(instance);
      instance.sweep = async () => (calls.push(name), sweep());
    }
    await Promise.all([sweeper.tick(), other.tick()]);
    expect(calls).toHaveLength(1);
  });
});
