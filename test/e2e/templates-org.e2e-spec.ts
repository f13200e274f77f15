import { Client } from 'pg';
import { inOrg, patch, refusedUnchanged, TEMPLATES } from '../support/templates-helpers';
import { newUser, settled, startStack, TestStack, TestUser, userIdOf } from '../support/stack';
import { connectAsApp } from '../support/app-role';

const PRESETS = '/api/v1/status/presets';

describe('org templates and presets: admins write, members read and apply, other orgs see nothing', () => {
  let stack: TestStack;
  let admin: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let orgBusy: { id: string };

  beforeAll(async () => {
    stack = await startStack('templates-org', { ownSchema: true });
    admin = inOrg(await newUser(stack), 'acme', 'admin');
    member = inOrg(await newUser(stack), 'acme');
    outsider = inOrg(await newUser(stack), 'globex', 'admin');
    const created = await stack.api.post(TEMPLATES, admin.jwt, { name: 'busy', scope: 'org', emoji: '⛔', message: 'Acme focus time', limitedAvailability: true, durationMinutes: 120 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ scope: 'org', name: 'busy' });
    orgBusy = created.body;
  }, 60_000);

  afterAll(() => stack?.stop());

  it('lets members read and apply org templates but not create, change or delete them (403, nothing changes)', async () => {
    expect((await stack.api.get(`${TEMPLATES}/${orgBusy.id}`, member.jwt)).body).toMatchObject({ scope: 'org', message: 'Acme focus time' });
    expect((await stack.api.get(`${TEMPLATES}?scope=org`, member.jwt)).body.map((t: { id: string }) => t.id)).toEqual([orgBusy.id]);
    await refusedUnchanged(stack, () => stack.api.post(TEMPLATES, member.jwt, { name: 'lunch', scope: 'org', emoji: ':pizza:' }), 403);
    await refusedUnchanged(stack, () => patch(stack, `${TEMPLATES}/${orgBusy.id}`, member.jwt, { message: 'hijacked' }), 403);
    await refusedUnchanged(stack, () => stack.api.delete(`${TEMPLATES}/${orgBusy.id}`, member.jwt), 403);
    await refusedUnchanged(stack, () => stack.api.post(TEMPLATES, admin.jwt, { name: 'BUSY', scope: 'org', emoji: ':x:' }), 409, 'name');

    const applied = await stack.api.post(`${TEMPLATES}/${orgBusy.id}/apply`, member.jwt);
    expect(applied.status).toBe(202);
    expect(await settled(stack, member, applied.body.id)).toMatchObject({ state: 'succeeded', message: 'Acme focus time', emoji: '⛔' });
    expect(stack.github.statusOf(member.githubLogin)?.emoji).toBe(':no_entry:');
  });

  it('resolves presets personal → org → built-in, in any case, and lists where each comes from', async () => {
    const list = async (user: TestUser) => Object.fromEntries((await stack.api.get(PRESETS, user.jwt)).body.map((p: { name: string; source: string }) => [p.name.toLowerCase(), p.source]));
    expect(await list(member)).toEqual({ away: 'builtin', busy: 'org', lunch: 'builtin', working: 'builtin' });
    expect(await list(outsider)).toEqual({ away: 'builtin', busy: 'builtin', lunch: 'builtin', working: 'builtin' });

    const viaPreset = await stack.api.post(`${PRESETS}/BUSY`, member.jwt);
    expect(viaPreset.status).toBe(202);
    expect(await settled(stack, member, viaPreset.body.id)).toMatchObject({ message: 'Acme focus time', preset: 'busy' });
    const { rows } = await stack.db.query(`SELECT source, template_id FROM status_updates WHERE id = $1`, [viaPreset.body.id]);
    expect(rows[0]).toEqual({ source: 'template', template_id: orgBusy.id });
    const builtin = await stack.api.post(`${PRESETS}/Busy`, outsider.jwt);
    expect(await settled(stack, outsider, builtin.body.id)).toMatchObject({ message: 'Busy, focusing', preset: 'busy' });

    // A person's own template of that name beats the org's; any template name is a preset.
    const mine = await stack.api.post(TEMPLATES, member.jwt, { name: 'Busy', emoji: ':headphones:', message: 'My own busy' });
    await stack.api.post(TEMPLATES, member.jwt, { name: 'Gym', emoji: ':muscle:', message: 'Gym' });
    expect(await list(member)).toMatchObject({ busy: 'personal', gym: 'personal' });
    const own = await stack.api.post(`${PRESETS}/busy`, member.jwt);
    expect(await settled(stack, member, own.body.id)).toMatchObject({ message: 'My own busy' });
    expect((await stack.api.post(`${PRESETS}/gym`, member.jwt)).status).toBe(202);
    await refusedUnchanged(stack, () => stack.api.post(`${PRESETS}/gym`, outsider.jwt), 404);
    await refusedUnchanged(stack, () => stack.api.post(`${PRESETS}/vacation`, member.jwt), 404);
    expect((await stack.api.delete(`${TEMPLATES}/${mine.body.id}`, member.jwt)).status).toBe(204);
  });

  it('hides one org\'s templates from another org (404), even from its admin', async () => {
    for (const send of [
      () => stack.api.get(`${TEMPLATES}/${orgBusy.id}`, outsider.jwt),
      () => patch(stack, `${TEMPLATES}/${orgBusy.id}`, outsider.jwt, { message: 'globex was here' }),
      () => stack.api.delete(`${TEMPLATES}/${orgBusy.id}`, outsider.jwt),
      () => stack.api.post(`${TEMPLATES}/${orgBusy.id}/apply`, outsider.jwt),
    ]) {
      await refusedUnchanged(stack, send, 404);
    }
    expect((await stack.api.get(`${TEMPLATES}?scope=org`, outsider.jwt)).body).toEqual([]);
  });

  it('lets the admin change and delete org templates', async () => {
    const extra = (await stack.api.post(TEMPLATES, admin.jwt, { name: 'Offsite', scope: 'org', emoji: ':airplane:', until: 'end_of_day' })).body;
    expect((await patch(stack, `${TEMPLATES}/${extra.id}`, admin.jwt, { message: 'At the offsite' })).body).toMatchObject({ message: 'At the offsite', scope: 'org' });
    expect((await stack.api.delete(`${TEMPLATES}/${extra.id}`, admin.jwt)).status).toBe(204);
  });

  describe('row-level security as the services\' role', () => {
    let app: Client;
    const idOf = (user: TestUser) => userIdOf(stack, user);

    beforeAll(async () => {
      app = await connectAsApp(stack.schema);
    });
    afterAll(() => app?.end());

    async function as<T>(user: TestUser, org: string, role: string, work: () => Promise<T>): Promise<T> {
      await app.query('BEGIN');
      try {
        await app.query(`SELECT set_config('statusync.user_id', $1, true), set_config('statusync.org_id', $2, true), set_config('statusync.role', $3, true)`, [await idOf(user), org, role]);
        return await work();
      } finally {
        await app.query('ROLLBACK');
      }
    }

    it('another org sees and changes none of acme\'s templates, whatever its role', async () => {
      const seen = await as(outsider, 'globex', 'admin', async () => (await app.query(`SELECT id FROM status_templates WHERE org_id = 'acme'`)).rowCount);
      expect(seen).toBe(0);
      const changed = await as(outsider, 'globex', 'admin', async () => (await app.query(`UPDATE status_templates SET message = 'x' WHERE org_id = 'acme'`)).rowCount);
      expect(changed).toBe(0);
      await expect(as(outsider, 'globex', 'admin', () => app.query(`INSERT INTO status_templates (org_id, name, emoji) VALUES ('acme', 'forged', ':x:')`))).rejects.toThrow(/row-level security/);
    });

    it('a member reads the org\'s templates but cannot write them; an admin can', async () => {
      expect(await as(member, 'acme', 'member', async () => (await app.query(`SELECT id FROM status_templates WHERE org_id = 'acme'`)).rowCount)).toBe(1);
      expect(await as(member, 'acme', 'member', async () => (await app.query(`UPDATE status_templates SET message = 'x' WHERE org_id = 'acme'`)).rowCount)).toBe(0);
      expect(await as(member, 'acme', 'member', async () => (await app.query(`DELETE FROM status_templates WHERE org_id = 'acme'`)).rowCount)).toBe(0);
      await expect(as(member, 'acme', 'member', () => app.query(`INSERT INTO status_templates (org_id, name, emoji) VALUES ('acme', 'forged', ':x:')`))).rejects.toThrow(/row-level security/);
      // A personal template cannot be made an org one by its owner either.
      await expect(as(member, 'acme', 'member', async () => app.query(`INSERT INTO status_templates (user_id, org_id, name) VALUES ($1, 'acme', 'sneaky')`, [await idOf(member)]))).rejects.toThrow(/row-level security|check constraint/);
      expect(await as(admin, 'acme', 'admin', async () => (await app.query(`UPDATE status_templates SET message = 'x' WHERE org_id = 'acme'`)).rowCount)).toBe(1);
    });
  });
});
