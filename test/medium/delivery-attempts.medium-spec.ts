import { DeliveriesRepository, UserScope } from '@statusync/db';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { deliveryState, openDatabases, seedUpdate, seedUser } from './support/lease-db';

/**
 * The attempt record the worker writes outside a lease (the platform was disconnected after the update was
 * accepted): one sync log per attempt, and the delivery moved to the state the outcome implies, only while pending.
 * Run as the services' role, so row-level security applies as in production.
 */
describe('delivery attempts (DeliveriesRepository.recordAttempt)', () => {
  let app: DataSource;
  let scope: UserScope;
  let admin: Pool;
  let deliveries: DeliveriesRepository;

  beforeAll(async () => {
    ({ app, scope, admin } = await openDatabases());
    deliveries = new DeliveriesRepository(app);
  });
  const users: string[] = [];
  const newUser = async () => {
    const user = await seedUser(admin);
    users.push(user);
    return user;
  };
  afterAll(async () => {
    // No pending delivery may outlive this file: the outbox sweep test that may follow counts what it revives.
    await admin?.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [users]);
    await app?.destroy();
    await admin?.end();
  });

  const attempt = (userId: string, updateId: string, fields: Partial<Parameters<DeliveriesRepository['recordAttempt']>[1]>) =>
    scope.run(userId, (db) => deliveries.recordAttempt(db, { updateId, platform: 'github', userId, attempt: 1, outcome: 'failed', durationMs: 12, ...fields }));
  const delivery = async (updateId: string) =>
    (await admin.query(`SELECT state, attempts, error_code, error_message, completed_at FROM status_deliveries WHERE update_id = $1`, [updateId])).rows[0];
  const logs = async (updateId: string) =>
    (
      await admin.query(
        `SELECT attempt, outcome, error_code, length(error_message) AS message_length, retry_after_ms, duration_ms, request_id FROM sync_logs WHERE update_id = $1 ORDER BY id`,
        [updateId],
      )
    ).rows;

  it('fails the delivery with the code and message, completed now, and logs the attempt', async () => {
    const user = await newUser();
    const update = await seedUpdate(admin, user, 'gone');
    await attempt(user, update, { errorCode: 'platform_not_configured', errorMessage: 'github is no longer configured for this user', requestId: 'req-1' });
    expect(await delivery(update)).toMatchObject({ state: 'failed', attempts: 1, error_code: 'platform_not_configured', error_message: 'github is no longer configured for this user' });
    expect((await delivery(update)).completed_at).toBeInstanceOf(Date);
    expect(await logs(update)).toEqual([{ attempt: 1, outcome: 'failed', error_code: 'platform_not_configured', message_length: 44, retry_after_ms: null, duration_ms: 12, request_id: 'req-1' }]);
  });

  it('keeps a retried delivery pending and not completed, with the Retry-After it was given', async () => {
    const user = await newUser();
    const update = await seedUpdate(admin, user, 'later');
    await attempt(user, update, { outcome: 'retrying', attempt: 2, errorCode: 'rate_limited', retryAfterMs: 30_000 });
    expect(await delivery(update)).toMatchObject({ state: 'pending', attempts: 2, error_code: 'rate_limited', completed_at: null });
    expect((await logs(update))[0]).toMatchObject({ outcome: 'retrying', retry_after_ms: 30_000 });
  });

  it('cuts an error message to 1000 characters in both places', async () => {
    const user = await newUser();
    const update = await seedUpdate(admin, user, 'long');
    await attempt(user, update, { errorCode: 'platform_error', errorMessage: 'x'.repeat(5000) });
    expect((await delivery(update)).error_message).toHaveLength(1000);
    expect((await logs(update))[0].message_length).toBe(1000);
  });

  it('never moves a delivery that is no longer pending (a late attempt only adds its log)', async () => {
    const user = await newUser();
    const update = await seedUpdate(admin, user, 'done');
    await attempt(user, update, { outcome: 'succeeded' });
    await attempt(user, update, { attempt: 2, outcome: 'failed', errorCode: 'late' });
    expect(await deliveryState(admin, update)).toEqual({ state: 'succeeded', attempts: 1 });
    expect((await logs(update)).map((log) => log.outcome)).toEqual(['succeeded', 'failed']);
  });

  it('cannot record an attempt on another user’s delivery (row-level security)', async () => {
    const [owner, intruder] = [await newUser(), await newUser()];
    const update = await seedUpdate(admin, owner, 'theirs');
    await expect(scope.run(intruder, (db) => deliveries.recordAttempt(db, { updateId: update, platform: 'github', userId: owner, attempt: 1, outcome: 'failed', durationMs: 1 }))).rejects.toThrow(
      /row-level security/,
    );
    expect(await deliveryState(admin, update)).toEqual({ state: 'pending', attempts: 0 });
    expect(await logs(update)).toEqual([]);
  });
});
