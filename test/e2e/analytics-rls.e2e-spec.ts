import { Client, Pool } from 'pg';
import { testDb } from '../support/test-db';
import { connectAsApp } from '../support/app-role';


/**
 * Attacks on the analytics and purge functions as the services' role: they cross users only for an admin of
 * the org the caller really belongs to, never take a user or org as a parameter, and the purge cannot be aimed
 * at recent history. The tables' own policies are unchanged (row-level-security.e2e-spec.ts).
 */
describe('analytics and retention functions as the app role', () => {
  let owner: Pool;
  let app: Client;
  const ids = { alice: '', admin: '', mallory: '', orgA: '' };
  const window = [new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000)];

  async function as<T>(userId: string, orgId: string, role: string, work: () => Promise<T>): Promise<T> {
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('statusync.user_id', $1, true), set_config('statusync.org_id', $2, true), set_config('statusync.role', $3, true)`, [userId, orgId, role]);
      return await work();
    } finally {
      await app.query('ROLLBACK');
    }
  }
  const orgFigures = () => app.query(`SELECT * FROM statusync_delivery_analytics($1, $2, NULL, true)`, window);
  const orgTemplates = () => app.query(`SELECT * FROM statusync_template_analytics($1, $2, NULL, true, 20)`, window);

  beforeAll(async () => {
    owner = testDb();
    app = await connectAsApp();
    const suffix = Date.now().toString(36);
    for (const [name, org] of [['alice', 'org-a'], ['admin', 'org-a'], ['mallory', 'org-b']] as const) {
      const { rows } = await owner.query(`INSERT INTO users (subject, org_id) VALUES ($1, $2) RETURNING id`, [`rls-${name}-${suffix}`, `${org}-${suffix}`]);
      ids[name] = rows[0].id;
    }
    const { rows } = await owner.query(`INSERT INTO status_updates (user_id, kind, preset, platforms) VALUES ($1, 'set', 'lunch', '{github}') RETURNING id`, [ids.alice]);
    await owner.query(`INSERT INTO status_deliveries (update_id, platform, user_id, state, completed_at) VALUES ($1, 'github', $2, 'succeeded', now())`, [rows[0].id, ids.alice]);
    ids.orgA = `org-a-${suffix}`;
  });

  afterAll(async () => {
    await app?.end();
    await owner?.end();
  });

  it('lets an admin of the org see its members, and nobody else', async () => {
    expect((await as(ids.admin, ids.orgA, 'admin', orgFigures)).rows).toMatchObject([{ platform: 'github', attempted: '1' }]);
    expect((await as(ids.admin, ids.orgA, 'admin', orgTemplates)).rows).toEqual([{ name: 'lunch', uses: '1' }]);
    // A member of the org, even naming it: refused.
    await expect(as(ids.alice, ids.orgA, 'member', orgFigures)).rejects.toThrow(/admins of the org/);
    // An admin of another org claiming this one in the transaction settings: refused (not a member of it).
    await expect(as(ids.mallory, ids.orgA, 'admin', orgFigures)).rejects.toThrow(/admins of the org/);
    await expect(as(ids.mallory, ids.orgA, 'admin', orgTemplates)).rejects.toThrow(/admins of the org/);
  });

  it('gives personal figures of the caller only, and nothing outside a user scope', async () => {
    const personal = () => app.query(`SELECT * FROM statusync_delivery_analytics($1, $2, NULL, false)`, window);
    expect((await as(ids.mallory, '', 'member', personal)).rows).toEqual([]);
    expect((await as(ids.alice, '', 'member', personal)).rows).toMatchObject([{ attempted: '1' }]);
    expect((await app.query(`SELECT * FROM statusync_delivery_analytics($1, $2, NULL, false)`, window)).rows).toEqual([]);
  });

  it('keeps the helper that lists an org’s users private', async () => {
    await expect(as(ids.admin, ids.orgA, 'admin', () => app.query(`SELECT statusync_analytics_users(true)`))).rejects.toThrow(/permission denied/);
  });

  it('refuses a purge of less than a day of history, or a huge batch', async () => {
    await expect(app.query(`SELECT statusync_purge_history(0, 1000)`)).rejects.toThrow(/at least one day/);
    await expect(app.query(`SELECT statusync_purge_history(90, 1000000)`)).rejects.toThrow(/at least one day/);
    expect(Number((await owner.query(`SELECT count(*) FROM status_updates WHERE user_id = $1`, [ids.alice])).rows[0].count)).toBe(1);
  });
});
