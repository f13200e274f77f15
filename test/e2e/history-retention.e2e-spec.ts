import { Logger } from '@nestjs/common';
import { AppConfig } from '@statusync/core';
import { dataSourceOptions, HistoryRetentionRepository, WebhooksRepository } from '@statusync/db';
import { HISTORY_PURGE_SCHEDULER, MAINTENANCE_QUEUE } from '@statusync/queue';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { HistoryPurgeSchedule } from '../../apps/scheduler/src/history/history-purge.schedule';
import { HistoryPurger } from '../../apps/scheduler/src/history/history-purger';
import { testDb } from '../support/test-db';
import { E2E, queuePrefixFor } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const INTERVAL_MS = 1_000;

/**
 * The history purge, in process against the real Postgres and Redis (no HTTP): what goes and what stays, batches
 * that skip rows someone holds, and two scheduler replicas sharing one BullMQ job scheduler run it once per period.
 */
describe('history retention', () => {
  const owner = testDb();
  const queuePrefix = queuePrefixFor('retention');
  const config = { redis: { url: E2E.redisUrl, queuePrefix }, history: { retentionDays: 90, purgeIntervalMs: INTERVAL_MS }, webhooks: { retentionDays: 30 } } as AppConfig;
  let app: DataSource;
  let purger: HistoryPurger;

  /** Adds updates `daysAgo` old (one delivery and one sync log each), in that order; returns their ids. */
  async function addUpdates(userId: string, daysAgo: number[]): Promise<string[]> {
    const updates: string[] = [];
    for (const days of daysAgo) {
      const created = await owner.query(
        `INSERT INTO status_updates (user_id, kind, platforms, created_at) VALUES ($1, 'set', '{github}', now() - make_interval(days => $2)) RETURNING id, created_at`,
        [userId, days],
      );
      const id = created.rows[0].id as string;
      await owner.query(`INSERT INTO status_deliveries (update_id, platform, user_id, state, created_at) VALUES ($1, 'github', $2, 'succeeded', $3)`, [id, userId, created.rows[0].created_at]);
      await owner.query(`INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, duration_ms) VALUES ($1, 'github', $2, 1, 'succeeded', 5)`, [id, userId]);
      updates.push(id);
    }
    return updates;
  }
  async function userWith(daysAgo: number[]): Promise<{ userId: string; updates: string[] }> {
    const { rows } = await owner.query(`INSERT INTO users (subject) VALUES ('retention-' || gen_random_uuid()) RETURNING id`);
    return { userId: rows[0].id, updates: await addUpdates(rows[0].id, daysAgo) };
  }
  const remaining = async (userId: string) =>
    (await owner.query(`SELECT id FROM status_updates WHERE user_id = $1 ORDER BY seq`, [userId])).rows.map((r) => r.id as string);
  const count = async (table: string, userId: string) => Number((await owner.query(`SELECT count(*) FROM ${table} WHERE user_id = $1`, [userId])).rows[0].count);

  beforeAll(async () => {
    Logger.overrideLogger(false);
    // As the services connect: the app role, which sees no other user's rows except through the purge function.
    app = new DataSource(dataSourceOptions({ url: E2E.databaseUrl, schema: E2E.schema, poolSize: 4, role: 'statusync_app' }));
    await app.initialize();
    purger = new HistoryPurger(new HistoryRetentionRepository(app), new WebhooksRepository(app), config);
  });

  afterAll(async () => {
    await app?.destroy();
    await owner.end();
  });

  it('deletes updates older than the retention with their deliveries and sync logs, keeping recent ones, the latest and the applied', async () => {
    const mixed = await userWith([120, 100, 91, 89, 1]);
    const onlyOld = await userWith([200, 150]);
    const applied = await userWith([300, 200, 2]);
    await owner.query(
      `INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id, applied_update_id, applied_seq)
       SELECT $1, 'github', 'acct', 'octo', '\\x00', 'k', id, seq FROM status_updates WHERE id = $2`,
      [applied.userId, applied.updates[0]],
    );
    // Several batches' worth for one more user, then a recent update.
    const many = await userWith([]);
    await owner.query(
      `WITH made AS (INSERT INTO status_updates (user_id, kind, platforms, created_at)
                     SELECT $1, 'clear', '{slack}', now() - interval '95 days' + make_interval(secs => n) FROM generate_series(1, 2500) n RETURNING id, created_at)
       INSERT INTO status_deliveries (update_id, platform, user_id, state, created_at) SELECT id, 'slack', $1, 'failed', created_at FROM made`,
      [many.userId],
    );
    many.updates = await addUpdates(many.userId, [1]);

    expect(await purger.purge()).toBe(3 + 1 + 1 + 2500);

    expect(await remaining(mixed.userId)).toEqual(mixed.updates.slice(3));
    expect(await count('status_deliveries', mixed.userId)).toBe(2);
    expect(await count('sync_logs', mixed.userId)).toBe(2);
    // A user's latest update stays however old: it is their current status.
    expect(await remaining(onlyOld.userId)).toEqual([onlyOld.updates[1]]);
    // What a platform shows now stays too.
    expect(await remaining(applied.userId)).toEqual([applied.updates[0], applied.updates[2]]);
    expect(await remaining(many.userId)).toEqual(many.updates);
    expect(await count('status_deliveries', many.userId)).toBe(1);
    expect(await purger.purge()).toBe(0);
  });

  it('skips a row someone holds instead of waiting for it, and takes it next time', async () => {
    const user = await userWith([100, 99, 0]);
    const holder = await owner.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM status_updates WHERE id = $1 FOR UPDATE`, [user.updates[0]]);
      expect(await purger.purge()).toBe(1);
      expect(await remaining(user.userId)).toEqual([user.updates[0], user.updates[2]]);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await purger.purge()).toBe(1);
    expect(await remaining(user.userId)).toEqual([user.updates[2]]);
  });

  it('runs once per period across two scheduler replicas', async () => {
    const runs: string[] = [];
    const replica = () => {
      const own = new HistoryPurger(new HistoryRetentionRepository(app), new WebhooksRepository(app), config);
      const purge = own.purge.bind(own);
      own.purge = async () => {
        runs.push(new Date().toISOString());
        return purge();
      };
      return new HistoryPurgeSchedule(own, config);
    };
    const replicas = [replica(), replica()];
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: { url: E2E.redisUrl }, prefix: queuePrefix });
    try {
      for (const r of replicas) r.onApplicationBootstrap();
      await Promise.all(replicas.map((r) => r.whenScheduled()));
      const completed = await waitFor(async () => {
        const jobs = await queue.getJobs(['completed']);
        return jobs.length >= 3 && jobs;
      }, 'three purge runs', 15_000, 100);
      await Promise.all(replicas.map((r) => r.beforeApplicationShutdown()));

      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every])).toEqual([[HISTORY_PURGE_SCHEDULER, INTERVAL_MS]]);
      const finished = await queue.getJobs(['completed', 'failed', 'active']);
      // Every run is one job of the scheduler, one per period slot, none taken twice.
      expect(runs.length).toBe(finished.length);
      expect(finished.every((job) => job.repeatJobKey === HISTORY_PURGE_SCHEDULER)).toBe(true);
      const slots = finished.map((job) => job.timestamp + (job.opts.delay ?? 0)).sort((a, b) => a - b);
      expect(new Set(slots).size).toBe(slots.length);
      for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBeGreaterThanOrEqual(INTERVAL_MS - 50);
      expect(completed.every((job) => job.returnvalue?.deleted === 0)).toBe(true);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
