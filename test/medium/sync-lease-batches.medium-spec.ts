import { ClaimRequest, ClaimResult, Settlement, SyncLeasesRepository, UserScope } from '@statusync/db';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { deliveryState, logsOf, openDatabases, seedUpdate, seedUser } from './support/lease-db';

/**
 * Claims and settles of many jobs in one statement (docs/decisions.md §39), as the services' role against the real
 * Postgres: the same answers as the single statements one after the other, each element bound to its own user by
 * row-level security, and two batches over the same rows in opposite orders do not deadlock.
 */
describe('sync leases in batches', () => {
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

  const request = (userId: string, updateId: string): ClaimRequest => ({ userId, platform: 'github', updateId, leaseMs: LEASE_MS });
  const claimMany = (claims: ClaimRequest[]) => scope.selfScoped((db) => leases.claimMany(db, claims));
  const leased = (result: ClaimResult) => {
    if (result.kind !== 'leased') throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
    return result;
  };
  const settlement = async (userId: string, updateId: string, token: string, fields: Partial<Settlement> = {}): Promise<Settlement> => {
    const { rows } = await admin.query(`SELECT seq::text AS seq FROM status_updates WHERE id = $1`, [updateId]);
    return { userId, platform: 'github', updateId, seq: rows[0].seq, token, outcome: 'succeeded', attempt: 1, durationMs: 5, requestId: null, keepLease: false, ...fields };
  };

  it('answers each claim in the order asked, as the single claims one after the other would', async () => {
    const [ann, bob] = [await seedUser(admin), await seedUser(admin)];
    const [annOld, annNew, bobOnly] = [await seedUpdate(admin, ann, 'old'), await seedUpdate(admin, ann, 'new'), await seedUpdate(admin, bob, 'only')];

    // Bob first in the batch, Ann's newest twice: the second finds the lease the first took in the same statement.
    const results = await claimMany([request(bob, bobOnly), request(ann, annNew), request(ann, annNew), request(ann, annOld)]);

    expect(leased(results[0]).update.message).toBe('only');
    expect(leased(results[1])).toMatchObject({ attempt: 1, finished: [{ updateId: annOld, state: 'superseded' }] });
    expect(results[2]).toEqual({ kind: 'busy', retryInMs: expect.any(Number) });
    expect(results[3]).toEqual({ kind: 'skipped', state: 'superseded' });
    expect(await logsOf(admin, annOld)).toEqual([{ attempt: 1, outcome: 'superseded' }]);
  });

  it('binds every element to its own user: a claim naming another user’s update sees nothing', async () => {
    const [ann, bob] = [await seedUser(admin), await seedUser(admin)];
    const annUpdate = await seedUpdate(admin, ann, 'ann');
    const bobUpdate = await seedUpdate(admin, bob, 'bob');

    const [mine, stolen] = await claimMany([request(ann, annUpdate), request(bob, annUpdate)]);

    expect(leased(mine).audience?.subject).toMatch(/^medium-/);
    expect(stolen).toEqual({ kind: 'skipped', state: null });
    expect(await deliveryState(admin, bobUpdate)).toEqual({ state: 'pending', attempts: 0 });
  });

  it('settles each element guarded by its own token: a stale one writes nothing, the others are recorded', async () => {
    const [ann, bob] = [await seedUser(admin), await seedUser(admin)];
    const [annUpdate, bobUpdate] = [await seedUpdate(admin, ann, 'ann'), await seedUpdate(admin, bob, 'bob')];
    const [annLease, bobLease] = (await claimMany([request(ann, annUpdate), request(bob, bobUpdate)])).map(leased);
    const receipt = { emoji: ':zap:', message: 'ann', expiresAt: new Date('2030-01-01T00:00:00Z') };

    const answers = await scope.selfScoped(async (db) =>
      leases.settleMany(db, [
        await settlement(ann, annUpdate, annLease.token, { receipt }),
        await settlement(bob, bobUpdate, String(BigInt(bobLease.token) - 1n)),
      ]),
    );

    expect(answers.map((answer) => answer.settled)).toEqual([true, false]);
    expect(await deliveryState(admin, annUpdate)).toEqual({ state: 'succeeded', attempts: 1 });
    expect(await deliveryState(admin, bobUpdate)).toEqual({ state: 'pending', attempts: 0 });
    expect(await logsOf(admin, bobUpdate)).toEqual([]);
    const { rows } = await admin.query(`SELECT seen_message, seen_expires_at FROM platform_configs WHERE user_id = $1`, [ann]);
    expect(rows[0]).toEqual({ seen_message: 'ann', seen_expires_at: receipt.expiresAt });
  });

  it('says whether an active webhook endpoint listens to the user, so events are built only for those', async () => {
    const [quiet, listened, orgMember, orgAdmin] = await Promise.all(Array.from({ length: 4 }, () => seedUser(admin)));
    const org = `org-${Date.now()}`;
    await admin.query(`UPDATE users SET org_id = $1 WHERE id = ANY ($2)`, [org, [orgMember, orgAdmin]]);
    const endpoint = `INSERT INTO webhooks (user_id, scope, org_id, url, events, secret_ciphertext, secret_key_id, state)
                      VALUES ($1, $2, $3, 'https://hooks.example/x', ARRAY['sync.succeeded'], '\\x00', 'k', $4)`;
    await admin.query(endpoint, [listened, 'personal', null, 'active']);
    await admin.query(endpoint, [quiet, 'personal', null, 'disabled']);
    await admin.query(endpoint, [orgAdmin, 'org', org, 'active']);
    const claims = await Promise.all([quiet, listened, orgMember].map(async (user) => request(user, await seedUpdate(admin, user, 'x'))));

    const results = (await claimMany(claims)).map(leased);

    expect(results.map((result) => result.webhooks)).toEqual([false, true, true]);
  });

  it('runs two batches over the same rows in opposite orders without a deadlock: one lease per row', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => seedUser(admin)));
    const claims = await Promise.all(users.map(async (user) => request(user, await seedUpdate(admin, user, 'raced'))));

    const [forward, backward] = await Promise.all([claimMany(claims), claimMany([...claims].reverse())]);

    const backwardInOrder = [...backward].reverse();
    claims.forEach((_, index) => {
      const kinds = [forward[index].kind, backwardInOrder[index].kind].sort();
      expect(kinds).toEqual(['busy', 'leased']);
    });
  });
});
