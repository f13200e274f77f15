import { ClaimResult, SpanRestoresRepository, SyncLeasesRepository, UserScope } from '@statusync/db';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { openDatabases, seedUpdate, seedUser } from './support/lease-db';

/**
 * Restore's reads in the worker's claim (statusync_span_guard, docs/decisions.md §45) and its one-statement capture,
 * as the services' role against the real Postgres: which part of a block a span's update is decides whether the
 * worker reads the platform first, and what it compares the platform with before putting the old status back.
 */
describe('span guard: Restore read by the claim', () => {
  let app: DataSource;
  let scope: UserScope;
  let admin: Pool;
  const leases = new SyncLeasesRepository();
  const restores = new SpanRestoresRepository();

  beforeAll(async () => ({ app, scope, admin } = await openDatabases()));
  afterAll(async () => {
    await app?.destroy();
    await admin?.end();
  });

  const claim = (userId: string, updateId: string): Promise<ClaimResult> => scope.selfScoped((db) => leases.claim(db, userId, 'github', updateId, 30_000));
  const guardOf = async (userId: string, updateId: string) => {
    const result = await claim(userId, updateId);
    if (result.kind !== 'leased') throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
    // As a settle would: the next claim of the user's platform is leased too.
    await admin.query(`UPDATE platform_configs SET lease_until = NULL WHERE user_id = $1`, [userId]);
    return result.spanGuard;
  };
  /** A calendar's update (as the span engine records it), optionally with its status and per-platform overrides. */
  const calendarUpdate = async (userId: string, message: string, fields: { emoji?: string; overrides?: object } = {}) => {
    const id = await seedUpdate(admin, userId, message);
    await admin.query(`UPDATE status_updates SET source = 'calendar', emoji = $2, platform_overrides = $3 WHERE id = $1`, [id, fields.emoji ?? null, fields.overrides ?? null]);
    return id;
  };
  /** The user's open block on GitHub, opened by `setUpdateId`. */
  const openBlock = (userId: string, setUpdateId: string) =>
    admin.query(
      `INSERT INTO span_restores (user_id, platform, shown_span_id, set_update_id, shown_update_id, opened_seq)
       SELECT $1, 'github', $3, id, id, seq FROM status_updates WHERE id = $2`,
      [userId, setUpdateId, randomUUID()],
    );
  const blockOf = async (userId: string) =>
    (await admin.query(`SELECT captured_at IS NOT NULL AS captured, prev_emoji, prev_message FROM span_restores WHERE user_id = $1`, [userId])).rows[0];

  it('reads nothing for the user’s own updates', async () => {
    const user = await seedUser(admin);
    expect(await guardOf(user, await seedUpdate(admin, user, 'Mine'))).toBeNull();
  });

  it('asks the block’s first push to capture, and the capture (one statement, as the app role) keeps what the platform showed', async () => {
    const user = await seedUser(admin);
    const opener = await calendarUpdate(user, 'In a meeting');
    await openBlock(user, opener);
    expect(await guardOf(user, opener)).toEqual({ capture: true, ours: null });

    await scope.selfScoped((db) => restores.capture(db, user, 'github', { emoji: ':palm_tree:', message: 'On leave', expiresAt: null }));
    expect(await blockOf(user)).toEqual({ captured: true, prev_emoji: ':palm_tree:', prev_message: 'On leave' });

    // A later update of the same block (another span within it) pushes without reading: the capture is done.
    const later = await calendarUpdate(user, 'Still in a meeting');
    await admin.query(`UPDATE span_restores SET shown_update_id = $2 WHERE user_id = $1`, [user, later]);
    expect(await guardOf(user, later)).toEqual({ capture: false, ours: null });
  });

  it('gives a restore the status the block showed, with its per-platform overrides', async () => {
    const user = await seedUser(admin);
    const shown = await calendarUpdate(user, 'In a meeting', { emoji: ':calendar:', overrides: { slack: { emoji: ':busy:' } } });
    await openBlock(user, shown);
    const restore = await calendarUpdate(user, '');
    await admin.query(`UPDATE span_restores SET captured_at = now(), ended_at = now(), restore_update_id = $2 WHERE user_id = $1`, [user, restore]);
    expect(await guardOf(user, restore)).toEqual({
      capture: false,
      ours: { emoji: ':calendar:', message: 'In a meeting', platformOverrides: { slack: { emoji: ':busy:' } } },
    });
  });

  it('gives a restore whose shown update is gone nothing to compare with (it goes ahead)', async () => {
    const user = await seedUser(admin);
    const shown = await calendarUpdate(user, 'In a meeting');
    await openBlock(user, shown);
    const restore = await calendarUpdate(user, '');
    await admin.query(`UPDATE span_restores SET captured_at = now(), ended_at = now(), restore_update_id = $2 WHERE user_id = $1`, [user, restore]);
    await admin.query(`DELETE FROM status_updates WHERE id = $1`, [shown]);
    expect(await guardOf(user, restore)).toEqual({ capture: false, ours: null });
  });

  it('captures many jobs’ blocks in one statement, each for its own user', async () => {
    const [a, b] = [await seedUser(admin), await seedUser(admin)];
    await openBlock(a, await calendarUpdate(a, 'A meets'));
    await openBlock(b, await calendarUpdate(b, 'B meets'));
    await scope.selfScoped((db) =>
      restores.captureMany(db, [
        { userId: b, platform: 'github', previous: { emoji: ':b:', message: 'B before', expiresAt: new Date('2030-01-01T00:00:00Z') } },
        { userId: a, platform: 'github', previous: { emoji: ':a:', message: 'A before', expiresAt: null } },
      ]),
    );
    expect(await blockOf(a)).toEqual({ captured: true, prev_emoji: ':a:', prev_message: 'A before' });
    expect(await blockOf(b)).toEqual({ captured: true, prev_emoji: ':b:', prev_message: 'B before' });
    const { rows } = await admin.query(`SELECT prev_expires_at FROM span_restores WHERE user_id = $1`, [b]);
    expect(rows[0].prev_expires_at).toEqual(new Date('2030-01-01T00:00:00Z'));
  });

  it('captures only for the user it names: another user’s open block is untouched', async () => {
    const [user, other] = [await seedUser(admin), await seedUser(admin)];
    await openBlock(other, await calendarUpdate(other, 'Theirs'));
    await scope.selfScoped((db) => restores.capture(db, user, 'github', { emoji: ':x:', message: 'Not theirs', expiresAt: null }));
    expect(await blockOf(other)).toEqual({ captured: false, prev_emoji: null, prev_message: null });
  });
});
