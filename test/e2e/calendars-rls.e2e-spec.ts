import { Client } from 'pg';
import { newUser, startStack, TestStack } from '../support/stack';
import { E2E } from '../support/test-env';
import { connectAsApp } from '../support/app-role';

const TABLES = ['calendar_connections', 'calendar_spans'];

/** Attacks on the calendar tables as the services' role, exactly as a buggy or hijacked query would run. */
describe('row-level security on calendar_connections and calendar_spans', () => {
  let stack: TestStack;
  let app: Client;
  const ids: Record<'alice' | 'bob', { user: string; calendar: string }> = {} as never;

  async function asUser<T>(userId: string | null, work: () => Promise<T>): Promise<T> {
    await app.query('BEGIN');
    try {
      if (userId) await app.query(`SELECT set_config('statusync.user_id', $1, true)`, [userId]);
      return await work();
    } finally {
      await app.query('ROLLBACK');
    }
  }
  const count = async (sql: string, params: unknown[] = []) => Number((await stack.db.query(sql, params)).rows[0].count);

  beforeAll(async () => {
    stack = await startStack('calendars-rls', { services: ['api-gateway'] });
    for (const name of ['alice', 'bob'] as const) {
      const user = await newUser(stack, []);
      expect((await stack.api.get('/api/v1/config/calendars', user.jwt)).status).toBe(200); // makes the user known
      const userId = (await stack.db.query(`SELECT id FROM users WHERE subject = $1`, [user.subject])).rows[0].id as string;
      // Rows written as the owner (the poller is not running here): a calendar and two spans each.
      const calendar = (
        await stack.db.query(`INSERT INTO calendar_connections (user_id, type, url_ciphertext, url_key_id) VALUES ($1, 'ics', '\\x00', 'k') RETURNING id`, [userId])
      ).rows[0].id as string;
      await stack.db.query(
        `INSERT INTO calendar_spans (calendar_id, user_id, starts_at, ends_at, kind) VALUES ($1, $2, now(), now() + interval '1 hour', 'meeting'), ($1, $2, now() + interval '2 hours', now() + interval '3 hours', 'focus')`,
        [calendar, userId],
      );
      ids[name] = { user: userId, calendar };
    }
    app = await connectAsApp();
  }, 60_000);

  afterAll(async () => {
    await app?.end();
    await stack?.stop();
  });

  it('forces row-level security on both tables', async () => {
    for (const table of TABLES) {
      const { rows } = await stack.db.query(
        `SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
        [E2E.schema, table],
      );
      expect({ table, ...rows[0] }).toEqual({ table, relrowsecurity: true, relforcerowsecurity: true });
    }
  }, 60_000);

  it('sees nothing without a user, and only its own rows with one', async () => {
    for (const table of TABLES) {
      expect({ table, n: await asUser(null, async () => (await app.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n) }).toEqual({ table, n: 0 });
      const owners = await asUser(ids.alice.user, async () => (await app.query(`SELECT user_id FROM ${table}`)).rows.map((r) => r.user_id));
      expect(owners.length).toBeGreaterThan(0);
      expect(owners.every((owner) => owner === ids.alice.user)).toBe(true);
    }
  }, 60_000);

  it('cannot read, change or delete another user\'s calendar or spans, nor forge rows for them', async () => {
    const before = await count(`SELECT count(*) FROM calendar_spans WHERE user_id = $1`, [ids.bob.user]);
    const changed = await asUser(ids.alice.user, async () => {
      const results = [
        await app.query(`UPDATE calendar_connections SET url_hint = 'x', user_id = $1 WHERE id = $2`, [ids.alice.user, ids.bob.calendar]),
        await app.query(`DELETE FROM calendar_connections WHERE id = $1`, [ids.bob.calendar]),
        await app.query(`UPDATE calendar_spans SET kind = 'focus' WHERE calendar_id = $1`, [ids.bob.calendar]),
        await app.query(`DELETE FROM calendar_spans WHERE user_id = $1`, [ids.bob.user]),
        await app.query(`SELECT url_ciphertext FROM calendar_connections WHERE id = $1`, [ids.bob.calendar]),
      ];
      return results.map((result) => result.rowCount);
    });
    expect(changed).toEqual([0, 0, 0, 0, 0]);
    expect(await count(`SELECT count(*) FROM calendar_spans WHERE user_id = $1`, [ids.bob.user])).toBe(before);

    // A span for Bob, or a span of mine hung on Bob's calendar (it would show in his schedule).
    await expect(
      asUser(ids.alice.user, () => app.query(`INSERT INTO calendar_spans (calendar_id, user_id, starts_at, ends_at, kind) VALUES ($1, $2, now(), now() + interval '1 hour', 'meeting')`, [ids.bob.calendar, ids.bob.user])),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asUser(ids.alice.user, () => app.query(`INSERT INTO calendar_spans (calendar_id, user_id, starts_at, ends_at, kind) VALUES ($1, $2, now(), now() + interval '1 hour', 'meeting')`, [ids.bob.calendar, ids.alice.user])),
    ).rejects.toThrow(/foreign key/);
    await expect(
      asUser(ids.alice.user, () => app.query(`INSERT INTO calendar_connections (user_id, type, url_ciphertext, url_key_id) VALUES ($1, 'ics', '\\x00', 'k')`, [ids.bob.user])),
    ).rejects.toThrow(/row-level security/);
    await expect(asUser(ids.alice.user, () => app.query(`UPDATE calendar_spans SET user_id = $1 WHERE user_id = $2`, [ids.bob.user, ids.alice.user]))).rejects.toThrow(
      /row-level security|foreign key/,
    );
  }, 60_000);

  it('the poll-targets function gives ids and due times across users, nothing secret', async () => {
    const rows = await asUser(ids.alice.user, async () => (await app.query(`SELECT * FROM statusync_calendar_poll_targets()`)).rows);
    expect(rows.map((row) => Object.keys(row).sort())).toEqual(rows.map(() => ['id', 'next_fetch_at', 'user_id']));
    // Other suites of the run share the schema: their calendars are listed too.
    expect(rows.map((row) => row.id)).toEqual(expect.arrayContaining([ids.alice.calendar, ids.bob.calendar]));
  }, 60_000);
});
