import { Logger } from '@nestjs/common';
import { statusSyncQueueName, syncJobId } from '@statusync/queue';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { E2E } from '../support/test-env';
import { outboxWorld } from './support/outbox-world';
/**
 * Middle tier: a delivery still pending whose job has FINISHED (it failed its last attempt while Postgres was
 * unreachable, or completed without settling) is revived by the outbox sweep: a failed job gets a fresh set of
 * attempts, a completed one is replaced by a new job; a job still waiting is left alone.
 */
describe('outbox sweep: deliveries whose job finished without settling them', () => {
  const { prefix, admin, dataSource, producer, sweeper, close } = outboxWorld('outbox-revive');
  const worker = new Worker(statusSyncQueueName('github'), null, { connection: { url: E2E.redisUrl }, prefix, autorun: false });
  let userId: string;

  /** A pending delivery, an hour old, with its job in the queue. */
  async function pendingWithJob(message: string): Promise<string> {
    const { rows } = await admin.query(
      `WITH u AS (INSERT INTO status_updates (user_id, kind, message, platforms, created_at) VALUES ($1, 'set', $2, ARRAY['github'], now() - interval '1 hour') RETURNING id, created_at)
       INSERT INTO status_deliveries (update_id, platform, user_id, created_at) SELECT id, 'github', $1, created_at FROM u RETURNING update_id`,
      [userId, message],
    );
    const updateId = rows[0].update_id as string;
    await producer.enqueue([{ updateId, platform: 'github', userId, requestId: null }]);
    return updateId;
  }

  /** Takes the next job off the queue as a worker would, and finishes it without touching Postgres. */
  async function finishNext(how: 'failed' | 'completed'): Promise<Job> {
    const token = `lock-${how}`;
    const job = (await worker.getNextJob(token)) as Job;
    if (how === 'failed') {
      // As if it were the last attempt: no retry left.
      await job.moveToFailed(new UnrecoverableError('connect ECONNREFUSED 127.0.0.1:5432'), token, false);
    } else {
      await job.moveToCompleted('done', token, false);
    }
    return job;
  }

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await dataSource.initialize();
    const { rows } = await admin.query(`INSERT INTO users (subject) VALUES ($1) RETURNING id`, [`outbox-revive-${prefix}`]);
    userId = rows[0].id;
  });

  afterAll(async () => {
    // No pending delivery may outlive this file: other sweep tests count what they revive.
    await admin.query(`DELETE FROM users WHERE id = $1`, [userId]);
    await worker.close();
    await close();
  });

  it('gives a job that failed its last attempt a fresh set of attempts, replaces a completed one, leaves a waiting one', async () => {
    const failed = await pendingWithJob('failed while Postgres was down');
    await finishNext('failed');
    const completed = await pendingWithJob('completed without settling');
    await finishNext('completed');
    const waiting = await pendingWithJob('still waiting');
    const queue = producer.queueFor('github');
    expect(await queue.getJobState(syncJobId(failed, 'github'))).toBe('failed');
    expect(await queue.getJobState(syncJobId(completed, 'github'))).toBe('completed');

    // The sweep crosses users: other files' stale deliveries may be revived too, so only ours are looked at.
    await sweeper.sweep();

    const retried = (await queue.getJob(syncJobId(failed, 'github')))!;
    expect(await retried.getState()).toBe('waiting');
    expect(retried.attemptsMade).toBe(0);
    const replaced = (await queue.getJob(syncJobId(completed, 'github')))!;
    expect(await replaced.getState()).toBe('waiting');
    expect(replaced.finishedOn).toBeUndefined();
    const untouched = (await queue.getJob(syncJobId(waiting, 'github')))!;
    expect(await untouched.getState()).toBe('waiting');
    // A job that is live again is not touched by the next sweep.
    await sweeper.sweep();
    expect((await queue.getJob(syncJobId(failed, 'github')))!.timestamp).toBe(retried.timestamp);
    expect((await queue.getJob(syncJobId(completed, 'github')))!.timestamp).toBe(replaced.timestamp);
    expect((await queue.getJob(syncJobId(waiting, 'github')))!.timestamp).toBe(untouched.timestamp);
  });
});
