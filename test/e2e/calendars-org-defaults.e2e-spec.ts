import { IcsFake } from '../fakes/ics-fake';
import { mintJwt } from '../support/jwt';
import { CALENDARS, icsFeed, OWNER, utcAt } from '../support/calendar-helpers';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { patch } from '../support/templates-helpers';
import { connectAsApp } from '../support/app-role';

const DEFAULTS = '/api/v1/config/calendar-defaults';
const put = (stack: TestStack, token: string, body: unknown) => stack.api.request('PUT', DEFAULTS, { token, body });

describe('org calendar defaults: admins set them, members\' calendars start from them, other orgs see nothing', () => {
  let stack: TestStack;
  let ics: IcsFake;
  let admin: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let loner: TestUser;
  const inOrg = (user: TestUser, org: string, role = 'member') => ({ ...user, jwt: mintJwt(user.subject, { claims: { org_id: org, role, email: OWNER } }) });
  const stored = async () => JSON.stringify((await stack.db.query(`SELECT org_id, rules FROM org_calendar_defaults ORDER BY org_id`)).rows);

  beforeAll(async () => {
    ics = await IcsFake.start();
    stack = await startStack('calendar-defaults', { ownSchema: true, env: { ALLOW_PRIVATE_URLS: 'true' }, services: ['api-gateway'] });
    admin = inOrg(await newUser(stack, []), 'acme', 'admin');
    member = inOrg(await newUser(stack, []), 'acme');
    outsider = inOrg(await newUser(stack, []), 'globex', 'admin');
    loner = await newUser(stack, []);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await ics?.close();
  });

  it('admins set the defaults; members read them; everyone else is refused and nothing changes', async () => {
    expect((await stack.api.get(DEFAULTS, member.jwt)).body).toEqual({ includeAllDay: false, includeTitles: false, kinds: ['out_of_office', 'meeting', 'focus'], focusDnd: false });
    const set = await put(stack, admin.jwt, { includeAllDay: true, kinds: ['out_of_office', 'meeting'] });
    expect(set.status).toBe(200);
    expect((await stack.api.get(DEFAULTS, member.jwt)).body).toMatchObject({ includeAllDay: true, kinds: ['out_of_office', 'meeting'] });
    expect((await stack.api.get(DEFAULTS, outsider.jwt)).body).toMatchObject({ includeAllDay: false });

    const before = await stored();
    expect((await put(stack, member.jwt, { includeTitles: true })).status).toBe(403);
    const noOrg = await put(stack, loner.jwt, { includeTitles: true });
    expect(noOrg).toMatchObject({ status: 400, body: { errors: [{ field: 'org_id' }] } });
    expect((await stack.api.get(DEFAULTS, loner.jwt)).status).toBe(400);
    expect((await put(stack, admin.jwt, { kinds: ['party'] })).status).toBe(400);
    expect((await put(stack, admin.jwt, { includeTitles: 'yes' })).status).toBe(400);
    expect(await stored()).toBe(before);
  }, 60_000);

  it('a member\'s calendar shows and previews with the org defaults; its own rules win', async () => {
    const url = ics.serve('/member.ics', icsFeed([{ uid: 'h', start: utcAt(2, 0), end: utcAt(3, 0), summary: 'Holiday', allDay: true }]));
    const created = await stack.api.post(CALENDARS, member.jwt, { type: 'ics', url });
    expect(created.body.rules).toMatchObject({ includeAllDay: true, kinds: ['out_of_office', 'meeting'] });
    const window = `from=${utcAt(1, 0).toISOString()}&to=${utcAt(4, 0).toISOString()}`;
    expect((await stack.api.get(`${CALENDARS}/${created.body.id}/preview?${window}`, member.jwt)).body.busy).toHaveLength(1);
    const own = await patch(stack, `${CALENDARS}/${created.body.id}`, member.jwt, { rules: { includeAllDay: false } });
    expect(own.body.rules).toMatchObject({ includeAllDay: false, kinds: ['out_of_office', 'meeting'] });
    expect((await stack.api.get(`${CALENDARS}/${created.body.id}/preview?${window}`, member.jwt)).body.busy).toHaveLength(0);
  }, 60_000);

  it('row-level security: another org cannot read or change the defaults as the app role', async () => {
    const app = await connectAsApp(stack.schema);
    try {
      await app.query('BEGIN');
      await app.query(`SELECT set_config('statusync.org_id', 'globex', true), set_config('statusync.role', 'admin', true)`);
      expect((await app.query(`SELECT * FROM org_calendar_defaults`)).rowCount).toBe(0);
      expect((await app.query(`UPDATE org_calendar_defaults SET rules = '{}' WHERE org_id = 'acme'`)).rowCount).toBe(0);
      expect((await app.query(`DELETE FROM org_calendar_defaults WHERE org_id = 'acme'`)).rowCount).toBe(0);
      await expect(app.query(`INSERT INTO org_calendar_defaults (org_id) VALUES ('acme')`)).rejects.toThrow(/row-level security|duplicate/);
      await app.query('ROLLBACK');
      await app.query('BEGIN');
      await app.query(`SELECT set_config('statusync.org_id', 'acme', true), set_config('statusync.role', 'member', true)`);
      expect((await app.query(`SELECT * FROM org_calendar_defaults`)).rowCount).toBe(1);
      expect((await app.query(`UPDATE org_calendar_defaults SET rules = '{}'`)).rowCount).toBe(0);
    } finally {
      await app.query('ROLLBACK');
      await app.end();
    }
  }, 60_000);
});
