import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connectAsApp } from '../support/app-role';
import { asScope, newOrgUser } from '../support/org-users';
import { startStack, TestStack } from '../support/stack';
import { E2E } from '../support/test-env';

const TABLES = ['webhooks', 'webhook_deliveries'];

/**
 * Attacks on the webhook tables as the services' role: personal endpoints are their owner's; org endpoints are the
 * admins' of that org only (and the caller's own users row must be in it); deliveries follow their endpoint.
 */
describe('row-level security on webhooks and webhook_deliveries', () => {
  let stack: TestStack;
  let app: Client;
  const org = `org-${randomBytes(3).toString('hex')}`;
  const otherOrg = `org-${randomBytes(3).toString('hex')}`;
  const ids = {} as Record<'alice' | 'bob' | 'admin' | 'member' | 'otherAdmin', string>;
  const hooks = {} as Record<'alice' | 'bob' | 'org', string>;

  const userId = async (subject: string) => (await stack.db.query(`SELECT id FROM users WHERE subject = $1`, [subject])).rows[0].id as string;
  async function insertHook(owner: string, scope: 'personal' | 'org', orgId: string | null): Promise<string> {
    const { rows } = await stack.db.query(
      `INSERT INTO webhooks (user_id, scope, org_id, url, events, secret_ciphertext, secret_key_id) VALUES ($1, $2, $3, 'https://hooks.example.com/x', '{status.changed}', '\\x00', 'k') RETURNING id`,
      [owner, scope, orgId],
    );
    await stack.db.query(`INSERT INTO webhook_deliveries (webhook_id, event_type, event_key, payload) VALUES ($1, 'status.changed', $2, '{}')`, [rows[0].id, `k.${rows[0].id}`]);
    return rows[0].id as string;
  }
  const scoped = <T>(who: keyof typeof ids, orgId: string | null, role: 'member' | 'admin', work: () => Promise<T>) => asScope(app, { userId: ids[who], orgId, role }, work);
  const visibleHooks = async () => (await app.query(`SELECT id FROM webhooks ORDER BY id`)).rows.map((row) => row.id as string).sort();

  beforeAll(async () => {
    stack = await startStack('webhooks-rls', { services: ['api-gateway'] });
    for (const [name, orgId, role] of [
      ['alice', null, 'member'],
      ['bob', null, 'member'],
      ['admin', org, 'admin'],
      ['member', org, 'member'],
      ['otherAdmin', otherOrg, 'admin'],
    ] as const) {
      ids[name] = await userId((await newOrgUser(stack, orgId, role, [])).subject);
    }
    hooks.alice = await insertHook(ids.alice, 'personal', null);
    hooks.bob = await insertHook(ids.bob, 'personal', null);
    hooks.org = await insertHook(ids.admin, 'org', org);
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
  });

  it('shows nothing without a scope, a user only their own personal endpoints, an org admin also the org\'s', async () => {
    await app.query('BEGIN');
    expect((await app.query(`SELECT count(*)::int AS n FROM webhooks`)).rows[0].n).toBe(0);
    expect((await app.query(`SELECT count(*)::int AS n FROM webhook_deliveries`)).rows[0].n).toBe(0);
    await app.query('ROLLBACK');
    expect(await scoped('alice', null, 'member', visibleHooks)).toEqual([hooks.alice]);
    expect(await scoped('admin', org, 'admin', visibleHooks)).toEqual([hooks.org]);
    expect(await scoped('member', org, 'member', visibleHooks)).toEqual([]);
    // A forged org claim from a user whose own row is in another org, or in none, sees nothing of that org.
    expect(await scoped('otherAdmin', org, 'admin', visibleHooks)).toEqual([]);
    expect(await scoped('alice', org, 'admin', visibleHooks)).toEqual([hooks.alice]);
    const deliveries = await scoped('alice', null, 'member', async () => (await app.query(`SELECT webhook_id FROM webhook_deliveries`)).rows.map((row) => row.webhook_id));
    expect(deliveries).toEqual([hooks.alice]);
  });

  it('cannot read, change, delete or forge another user\'s or org\'s endpoints and deliveries', async () => {
    const changed = await scoped('alice', null, 'member', async () => [
      (await app.query(`UPDATE webhooks SET url = 'https://evil.example.com/' WHERE id = ANY($1)`, [[hooks.bob, hooks.org]])).rowCount,
      (await app.query(`DELETE FROM webhooks WHERE id = ANY($1)`, [[hooks.bob, hooks.org]])).rowCount,
      (await app.query(`SELECT secret_ciphertext FROM webhooks WHERE id = ANY($1)`, [[hooks.bob, hooks.org]])).rowCount,
      (await app.query(`UPDATE webhook_deliveries SET state = 'failed' WHERE webhook_id = ANY($1)`, [[hooks.bob, hooks.org]])).rowCount,
      (await app.query(`DELETE FROM webhook_deliveries WHERE webhook_id = ANY($1)`, [[hooks.bob, hooks.org]])).rowCount,
    ]);
    expect(changed).toEqual([0, 0, 0, 0, 0]);
    const memberChanges = await scoped('member', org, 'member', async () => [
      (await app.query(`UPDATE webhooks SET url = 'https://evil.example.com/' WHERE id = $1`, [hooks.org])).rowCount,
      (await app.query(`DELETE FROM webhook_deliveries WHERE webhook_id = $1`, [hooks.org])).rowCount,
    ]);
    expect(memberChanges).toEqual([0, 0]);

    const forgeries: [keyof typeof ids, string | null, 'member' | 'admin', string, unknown[]][] = [
      // A personal endpoint in someone else's name.
      ['alice', null, 'member', `INSERT INTO webhooks (user_id, scope, url, events, secret_ciphertext, secret_key_id) VALUES ($1, 'personal', 'https://x/', '{status.changed}', '\\x00', 'k')`, [ids.bob]],
      // An org endpoint as a member.
      ['member', org, 'member', `INSERT INTO webhooks (user_id, scope, org_id, url, events, secret_ciphertext, secret_key_id) VALUES ($1, 'org', $2, 'https://x/', '{status.changed}', '\\x00', 'k')`, [ids.member, org]],
      // An org endpoint for an org the caller's own row is not in.
      ['otherAdmin', org, 'admin', `INSERT INTO webhooks (user_id, scope, org_id, url, events, secret_ciphertext, secret_key_id) VALUES ($1, 'org', $2, 'https://x/', '{status.changed}', '\\x00', 'k')`, [ids.otherAdmin, org]],
      // A delivery on another user's endpoint.
      ['alice', null, 'member', `INSERT INTO webhook_deliveries (webhook_id, event_type, event_key, payload) VALUES ($1, 'status.changed', 'forged', '{}')`, [hooks.bob]],
    ];
    for (const [who, orgId, role, sql, params] of forgeries) {
      await expect(scoped(who, orgId, role, () => app.query(sql, params))).rejects.toThrow(/row-level security/);
    }
  });

  it('records events only for the scoped user: their personal endpoints and their own org\'s', async () => {
    const recorded = async (who: keyof typeof ids, orgId: string | null) =>
      scoped(who, orgId, 'member', async () =>
        (await app.query(`SELECT webhook_id FROM statusync_webhook_emit('status.changed', $1, '{}')`, [`emit.${randomBytes(4).toString('hex')}`])).rows.map((row) => row.webhook_id).sort(),
      );
    expect(await recorded('alice', null)).toEqual([hooks.alice]);
    expect(await recorded('member', org)).toEqual([hooks.org]);
    // A forged org claim does not reach another org's endpoints (the user's own row decides).
    expect(await recorded('otherAdmin', org)).toEqual([]);
    await app.query('BEGIN');
    expect((await app.query(`SELECT count(*)::int AS n FROM statusync_webhook_emit('status.changed', 'no-scope', '{}')`)).rows[0].n).toBe(0);
    await app.query('ROLLBACK');
    // The sweep's function returns ids only; the purge refuses a retention under a day.
    await expect(app.query(`SELECT statusync_purge_webhook_deliveries(0, 10)`)).rejects.toThrow(/at least one day/);
  });
});
