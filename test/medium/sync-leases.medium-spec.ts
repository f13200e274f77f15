import { ClaimResult, Settlement, SyncLeasesRepository, UserScope } from '@statusync/db';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { waitFor } from '../support/wait-for';
import { deliveryState, logsOf, openDatabases, seedUpdate, seedUser } from './support/lease-db';

/**
 * The worker's claim and settle statements (docs/decisions.md "Worker leases"), run in-process as the services' role
 * against the real Postgres: concurrent claimers, an expired lease, a stale fencing token, supersede-on-claim.
 */
describe('sync leases: claim, settle, fencing', () => {
  let app: DataSource;
  let scope: UserScope;
  let admin: Pool;
  const leases = new SyncLeasesRepository();
  const LEASE_MS = 30_000;

  beforeAll(async () => ({ app, scope, admin } = await openDatabases()));
  afterAll(async () => {
    await app?.destroy();
    await admin?.end();
  });

  const claim = (userId: string, updateId: string, leaseMs = LEASE_MS): Promise<ClaimResult> =>
    scope.run(userId, (db) => leases.claim(db, userId, 'github', updateId, leaseMs));
  const settle = (userId: string, updateId: string, token: string, fields: Partial<Settlement> = {}): Promise<boolean> =>
    scope.run(userId, async (db) => {
      const [{ seq }] = await db.query(`SELECT seq::text AS seq FROM status_updates WHERE id = $1`, [updateId]);
      return (await leases.settle(db, { userId, platform: 'github', updateId, seq, token, outcome: 'succeeded', attempt: 1, durationMs: 5, requestId: null, keepLease: false, ...fields })).settled;
    });
  const leased = (result: ClaimResult) => {
    if (result.kind !== 'leased') throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
    return result;
  };
  const configOf = async (userId: string) =>
    (await admin.query(`SELECT lease_until, lease_token::text AS token, applied_update_id FROM platform_configs WHERE user_id = $1`, [userId])).rows[0];

  it('supersedes the older pending deliveries on claim, with a sync log each, and leases only for the newest', async () => {
    const user = await seedUser(admin);
    const [a, b, c] = [await seedUpdate(admin, user, 'A'), await seedUpdate(admin, user, 'B'), await seedUpdate(admin, user, 'C')];

    const first = await claim(user, a);
    expect(first).toEqual({ kind: 'finished', finished: expect.arrayContaining([{ updateId: a, state: 'superseded' }, { updateId: b, state: 'superseded' }]) });
    expect((await configOf(user)).lease_until).toBeNull();
    expect(await deliveryState(admin, a)).toEqual({ state: 'superseded', attempts: 1 });
    expect(await logsOf(admin, b)).toEqual([{ attempt: 1, outcome: 'superseded' }]);

    const newest = leased(await claim(user, c));
    expect(newest).toMatchObject({ attempt: 1, finished: [] });
    expect(await claim(user, b)).toEqual({ kind: 'skipped', state: 'superseded' });
    expect(await settle(user, c, newest.token)).toBe(true);
    expect(await deliveryState(admin, c)).toEqual({ state: 'succeeded', attempts: 1 });
    expect(await configOf(user)).toMatchObject({ lease_until: null, applied_update_id: c });
  });

  it('lets exactly one of many concurrent claimers of the same platform hold the lease', async () => {
    const user = await seedUser(admin);
    const update = await seedUpdate(admin, user, 'Raced');
    const results = await Promise.all(Array.from({ length: 6 }, () => claim(user, update)));
    expect(results.filter((r) => r.kind === 'leased')).toHaveLength(1);
    const others = results.filter((r) => r.kind !== 'leased');
    expect(others.every((r) => r.kind === 'busy' && r.retryInMs > 0 && r.retryInMs <= LEASE_MS)).toBe(true);
  });

  it('hands an expired lease to the next claimer and refuses the old holder’s settle (stale fencing token)', async () => {
    const user = await seedUser(admin);
    const update = await seedUpdate(admin, user, 'Slow call');
    const crashed = leased(await claim(user, update, 200));
    expect((await claim(user, update)).kind).toBe('busy');

    const next = await waitFor(async () => {
      const result = await claim(user, update);
      return result.kind === 'leased' ? result : undefined;
    }, 'the expired lease to be claimed again', 5_000);
    expect(BigInt(next.token)).toBeGreaterThan(BigInt(crashed.token));

    // The first holder's late settle writes nothing: no outcome, no log, no applied update, and the lease stays.
    expect(await settle(user, update, crashed.token)).toBe(false);
    expect(await deliveryState(admin, update)).toEqual({ state: 'pending', attempts: 0 });
    expect(await logsOf(admin, update)).toEqual([]);
    expect(await configOf(user)).toMatchObject({ applied_update_id: null, token: next.token });
    await scope.run(user, (db) => leases.release(db, user, 'github', crashed.token));
    expect((await configOf(user)).lease_until).not.toBeNull();

    expect(await settle(user, update, next.token, { outcome: 'retrying', attempt: 1, errorCode: 'http_502', errorMessage: 'bad gateway' })).toBe(true);
    expect(await deliveryState(admin, update)).toEqual({ state: 'pending', attempts: 1 });
    expect(leased(await claim(user, update))).toMatchObject({ attempt: 2 });
  });

  it('keeps the lease to its end after a timed-out call, so nothing newer is sent while the old call may land', async () => {
    const user = await seedUser(admin);
    const older = await seedUpdate(admin, user, 'Timed out');
    const lease = leased(await claim(user, older));
    expect(await settle(user, older, lease.token, { outcome: 'retrying', errorCode: 'timeout', keepLease: true })).toBe(true);
    const newer = await seedUpdate(admin, user, 'Newer');
    expect(await claim(user, newer)).toMatchObject({ kind: 'busy' });
  });

  it('finishes a pending delivery older than the update already applied, without a lease', async () => {
    const user = await seedUser(admin);
    const late = await seedUpdate(admin, user, 'Recorded late');
    const applied = await seedUpdate(admin, user, 'Applied');
    // As if `late` had been recorded after `applied` was claimed: only `applied` was pending then.
    await admin.query(`UPDATE status_deliveries SET state = 'failed' WHERE update_id = $1`, [late]);
    const lease = leased(await claim(user, applied));
    expect(await settle(user, applied, lease.token)).toBe(true);
    await admin.query(`UPDATE status_deliveries SET state = 'pending' WHERE update_id = $1`, [late]);

    expect(await claim(user, late)).toEqual({ kind: 'finished', finished: [{ updateId: late, state: 'superseded' }] });
    expect((await configOf(user)).applied_update_id).toBe(applied);
  });

  it('says when the platform is not configured any more', async () => {
    const user = await seedUser(admin);
    const update = await seedUpdate(admin, user, 'Orphan');
    await admin.query(`DELETE FROM platform_configs WHERE user_id = $1`, [user]);
    expect(await claim(user, update)).toEqual({ kind: 'not_configured', attempt: 1 });
  });
});
