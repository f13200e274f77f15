import { Client } from 'pg';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';
import { connectAsApp } from '../support/app-role';

/** Every table that holds user data, and the column that says whose a row is. */
const TABLES: [string, string][] = [
  ['users', 'id'],
  ['platform_configs', 'user_id'],
  ['status_updates', 'user_id'],
  ['status_deliveries', 'user_id'],
  ['sync_logs', 'user_id'],
  ['scheduled_statuses', 'user_id'],
  ['status_templates', 'user_id'],
  ['audit_events', 'user_id'],
  ['status_spans', 'user_id'],
  ['span_edges', 'user_id'],
  ['span_restores', 'user_id'],
];


describe('row-level security: the services role sees only the current user', () => {
  let stack: TestStack;
  let app: Client;
  let alice: TestUser & { id: string };
  let bob: TestUser & { id: string };

  const idOf = async (user: TestUser) =>
    ((await stack.db.query(`SELECT id FROM users WHERE subject = $1`, [user.subject])).rows[0] as { id: string }).id;

  /** As the superuser (the test's own view): how many rows of `user` a table holds. */
  const ownedRows = async (table: string, column: string, userId: string) =>
    Number((await stack.db.query(`SELECT count(*) FROM ${table} WHERE ${column} = $1`, [userId])).rows[0].count);

  /** Runs `sql` as the app role in a transaction set to `userId` (or none), and rolls back. */
  async function asUser<T>(userId: string | null, work: () => Promise<T>): Promise<T> {
    await app.query('BEGIN');
    try {
      if (userId) await app.query(`SELECT set_config('statusync.user_id', $1, true)`, [userId]);
      return await work();
    } finally {
      await app.query('ROLLBACK');
    }
  }

  beforeAll(async () => {
    stack = await startStack('rls');
    for (const name of ['alice', 'bob'] as const) {
      const user = await newUser(stack);
      const update = await stack.api.post('/api/v1/status/update', user.jwt, { message: `${name} is busy`, emoji: ':no_entry:' });
      await settled(stack, user, update.body.id);
      const id = await idOf(user);
      // Rows for the tables the API does not fill yet.
      await stack.db.query(`INSERT INTO scheduled_statuses (user_id, message, starts_at) VALUES ($1, 'later', now() + interval '1 day')`, [id]);
      await stack.db.query(`INSERT INTO status_templates (user_id, name, message) VALUES ($1, 'mine', 'hi')`, [id]);
      await stack.db.query(`INSERT INTO audit_events (user_id, event) VALUES ($1, 'test.event')`, [id]);
      const span = await stack.db.query(
        `INSERT INTO status_spans (user_id, source, source_id, occurrence_key, starts_at, ends_at) VALUES ($1, 'schedule', gen_random_uuid(), 'once', now(), now() + interval '1 hour') RETURNING id`,
        [id],
      );
      await stack.db.query(`INSERT INTO span_edges (span_id, edge, user_id, outcome) VALUES ($1, 'start', $2, 'opened')`, [span.rows[0].id, id]);
      await stack.db.query(`INSERT INTO span_restores (user_id, platform, shown_span_id, set_update_id, shown_update_id, opened_seq) VALUES ($1, 'slack', $2, $2, $2, 1)`, [id, span.rows[0].id]);
      if (name === 'alice') alice = { ...user, id };
      else bob = { ...user, id };
    }
    app = await connectAsApp();
  }, 90_000);

  afterAll(async () => {
    await app?.end();
    await stack?.stop();
  });

  it('the services role does not own the tables and cannot bypass row-level security', async () => {
    const role = (await app.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`)).rows[0];
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    for (const [table] of TABLES) {
      const info = (
        await stack.db.query(
          `SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) AS owner
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
          [E2E.schema, table],
        )
      ).rows[0];
      expect({ table, ...info }).toEqual({ table, relrowsecurity: true, relforcerowsecurity: true, owner: expect.not.stringMatching(/^statusync_app$/) });
    }
    await expect(app.query(`ALTER TABLE users DISABLE ROW LEVEL SECURITY`)).rejects.toThrow(/must be owner/);
    await expect(app.query(`SET ROLE postgres`)).rejects.toThrow(/permission denied/);
    await app.query(`SET row_security = off`);
    await expect(app.query(`SELECT * FROM status_updates`)).rejects.toThrow(/row-level security/);
    await app.query(`RESET row_security`);
  });

  it('a query without the user id set sees nothing, in every table', async () => {
    for (const [table] of TABLES) {
      expect(await ownedRows(table, TABLES.find(([t]) => t === table)![1], alice.id)).toBeGreaterThan(0);
      const visible = await asUser(null, async () => Number((await app.query(`SELECT count(*) FROM ${table}`)).rows[0].count));
      expect({ table, visible }).toEqual({ table, visible: 0 });
    }
  });

  it('user A sees exactly their own rows, never B\'s, even without a WHERE clause', async () => {
    for (const [table, column] of TABLES) {
      const seen = await asUser(alice.id, async () => (await app.query(`SELECT ${column} AS owner FROM ${table}`)).rows as { owner: string }[]);
      expect({ table, count: seen.length }).toEqual({ table, count: await ownedRows(table, column, alice.id) });
      expect(seen.every((row) => row.owner === alice.id)).toBe(true);
    }
  });

  it('user A cannot update or delete B\'s rows in any table, and nothing of B changes', async () => {
    const before = await Promise.all(TABLES.map(([table, column]) => ownedRows(table, column, bob.id)));
    for (const [table, column] of TABLES) {
      const changed = await asUser(alice.id, async () => {
        const updated = await app.query(`UPDATE ${table} SET ${column} = ${column} WHERE ${column} = $1`, [bob.id]);
        const deleted = await app.query(`DELETE FROM ${table} WHERE ${column} = $1`, [bob.id]);
        return { updated: updated.rowCount, deleted: deleted.rowCount };
      });
      expect({ table, ...changed }).toEqual({ table, updated: 0, deleted: 0 });
    }
    const after = await Promise.all(TABLES.map(([table, column]) => ownedRows(table, column, bob.id)));
    expect(after).toEqual(before);
  });

  it('user A cannot write a row that belongs to B', async () => {
    await expect(
      asUser(alice.id, () => app.query(`INSERT INTO audit_events (user_id, event) VALUES ($1, 'forged')`, [bob.id])),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asUser(alice.id, () => app.query(`UPDATE platform_configs SET user_id = $1 WHERE user_id = $2`, [bob.id, alice.id])),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asUser(alice.id, () =>
        app.query(`INSERT INTO status_spans (user_id, source, source_id, occurrence_key, starts_at) VALUES ($1, 'calendar', gen_random_uuid(), 'x', now())`, [bob.id]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('the API keeps working for each user through the same role', async () => {
    const current = await stack.api.get('/api/v1/status/current', bob.jwt);
    expect(current.body.requested.message).toBe('bob is busy');
    const history = await stack.api.get('/api/v1/status/history', alice.jwt);
    expect(history.body.items.map((item: { message: string }) => item.message)).toEqual(['alice is busy']);
  });
});
