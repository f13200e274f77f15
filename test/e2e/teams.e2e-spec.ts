import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connectAsApp } from '../support/app-role';
import { asScope, newOrgUser } from '../support/org-users';
import { settled, startStack, TestStack, TestUser, userIdOf } from '../support/stack';
import { waitFor } from '../support/wait-for';

describe('teams: org-scoped CRUD, members, availability and drift', () => {
  let stack: TestStack;
  let app: Client;
  const orgA = `org-a-${randomBytes(3).toString('hex')}`;
  const orgB = `org-b-${randomBytes(3).toString('hex')}`;
  let admin: TestUser, alice: TestUser, bob: TestUser, carol: TestUser, otherAdmin: TestUser, loner: TestUser;
  let teamId: string;

  const idOf = (user: TestUser) => userIdOf(stack, user);
  const counts = async () => (await stack.db.query(`SELECT (SELECT count(*) FROM teams) AS teams, (SELECT count(*) FROM team_members) AS members, (SELECT count(*) FROM users) AS users`)).rows[0];
  const put = (path: string, jwt: string) => stack.api.request('PUT', path, { token: jwt });
  const patch = (path: string, jwt: string, body: unknown) => stack.api.request('PATCH', path, { token: jwt, body });
  const availability = async (jwt: string, query = '') => stack.api.get(`/api/v1/teams/${teamId}/availability${query}`, jwt);
  const memberView = async (user: TestUser) => ((await availability(admin.jwt, '?limit=200')).body.items as any[]).find((m) => m.subject === user.subject);

  beforeAll(async () => {
    stack = await startStack('teams', { ownSchema: true });
    [admin, alice, bob, carol, otherAdmin, loner] = await Promise.all([
      newOrgUser(stack, orgA, 'admin', []),
      newOrgUser(stack, orgA, 'member'),
      newOrgUser(stack, orgA, 'member'),
      newOrgUser(stack, orgA, 'member', []),
      newOrgUser(stack, orgB, 'admin', []),
      newOrgUser(stack, null, 'member', []),
    ]);
    app = await connectAsApp(stack.schema);
  }, 90_000);

  afterAll(async () => {
    await app?.end();
    await stack?.stop();
  });

  it('an org admin creates a team (201); members, users without an org, bad and duplicate names are refused and change nothing', async () => {
    const before = await counts();
    expect((await stack.api.post('/api/v1/teams', alice.jwt, { name: 'Nope' })).status).toBe(403);
    expect((await stack.api.post('/api/v1/teams', loner.jwt, { name: 'Nope' })).status).toBe(403);
    for (const [body, field] of [[{ name: '' }, 'name'], [{ name: 'x'.repeat(65) }, 'name'], [{ name: '   ' }, 'name'], [{}, 'name'], [{ name: 'ok', extra: 1 }, 'extra']] as const) {
      const answer = await stack.api.post('/api/v1/teams', admin.jwt, body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await counts()).toEqual(before);

    const created = await stack.api.post('/api/v1/teams', admin.jwt, { name: 'Platform' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: 'Platform', memberCount: 0 });
    teamId = created.body.id;
    const duplicate = await stack.api.post('/api/v1/teams', admin.jwt, { name: 'PLATFORM' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual([{ field: 'name', reason: expect.any(String) }]);
    // Another org may use the same name.
    expect((await stack.api.post('/api/v1/teams', otherAdmin.jwt, { name: 'Platform' })).status).toBe(201);
  });

  it('admins add members by subject: created on first sight, refused when they belong to another org', async () => {
    for (const user of [alice, bob]) expect((await put(`/api/v1/teams/${teamId}/members/${encodeURIComponent(user.subject)}`, admin.jwt)).status).toBe(200);
    const again = await put(`/api/v1/teams/${teamId}/members/${encodeURIComponent(alice.subject)}`, admin.jwt);
    expect(again.body).toEqual({ id: teamId, name: 'Platform', memberCount: 2 }); // idempotent

    const before = await counts();
    const foreign = await put(`/api/v1/teams/${teamId}/members/${encodeURIComponent(otherAdmin.subject)}`, admin.jwt);
    expect(foreign.status).toBe(409);
    expect(foreign.body.errors).toEqual([{ field: 'subject', reason: expect.any(String) }]);
    expect((await put(`/api/v1/teams/${teamId}/members/${encodeURIComponent(loner.subject)}`, admin.jwt)).status).toBe(409);
    expect((await put(`/api/v1/teams/${teamId}/members/newcomer`, alice.jwt)).status).toBe(403);
    expect((await put(`/api/v1/teams/${teamId}/members/newcomer`, otherAdmin.jwt)).status).toBe(404);
    expect((await put(`/api/v1/teams/not-a-uuid/members/newcomer`, admin.jwt)).status).toBe(400);
    expect(await counts()).toEqual(before);

    const newcomer = `newcomer-${randomBytes(3).toString('hex')}`;
    expect((await put(`/api/v1/teams/${teamId}/members/${newcomer}`, admin.jwt)).body.memberCount).toBe(3);
    expect((await stack.db.query(`SELECT org_id FROM users WHERE subject = $1`, [newcomer])).rows).toEqual([{ org_id: orgA }]);
    expect((await stack.api.delete(`/api/v1/teams/${teamId}/members/${newcomer}`, admin.jwt)).status).toBe(204);
    expect((await stack.api.delete(`/api/v1/teams/${teamId}/members/${newcomer}`, admin.jwt)).status).toBe(404);
    expect((await stack.api.delete(`/api/v1/teams/${teamId}/members/never-seen-${newcomer}`, admin.jwt)).status).toBe(404);
    expect((await stack.api.delete(`/api/v1/teams/${teamId}/members/${encodeURIComponent(bob.subject)}`, alice.jwt)).status).toBe(403);
  });

  it('lists and reads: members see their teams, admins all, other orgs nothing (404)', async () => {
    expect((await stack.api.get('/api/v1/teams', alice.jwt)).body.items.map((t: { id: string }) => t.id)).toEqual([teamId]);
    expect((await stack.api.get('/api/v1/teams', carol.jwt)).body.items).toEqual([]);
    expect((await stack.api.get('/api/v1/teams', admin.jwt)).body.items).toEqual([{ id: teamId, name: 'Platform', memberCount: 2 }]);
    expect((await stack.api.get('/api/v1/teams', loner.jwt)).body.items).toEqual([]);
    expect((await stack.api.get(`/api/v1/teams/${teamId}`, alice.jwt)).status).toBe(200);
    expect((await stack.api.get(`/api/v1/teams/${teamId}`, carol.jwt)).status).toBe(403);
    expect((await stack.api.get(`/api/v1/teams/${teamId}`, otherAdmin.jwt)).status).toBe(404);
    expect((await stack.api.get(`/api/v1/teams/${teamId}/availability`, carol.jwt)).status).toBe(403);
    expect((await stack.api.get(`/api/v1/teams/${teamId}/availability`, otherAdmin.jwt)).status).toBe(404);
  });

  it('renames: admins only, names stay unique', async () => {
    expect((await patch(`/api/v1/teams/${teamId}`, alice.jwt, { name: 'Mine' })).status).toBe(403);
    expect((await patch(`/api/v1/teams/${teamId}`, otherAdmin.jwt, { name: 'Mine' })).status).toBe(404);
    expect((await stack.api.post('/api/v1/teams', admin.jwt, { name: 'Other' })).status).toBe(201);
    expect((await patch(`/api/v1/teams/${teamId}`, admin.jwt, { name: 'other' })).status).toBe(409);
    const renamed = await patch(`/api/v1/teams/${teamId}`, admin.jwt, { name: 'Platform crew' });
    expect(renamed.body).toEqual({ id: teamId, name: 'Platform crew', memberCount: 2 });
  });

  it('availability: derived state, per-platform receipts, agree; a one-platform update disagrees', async () => {
    const busy = await stack.api.post('/api/v1/status/presets/busy', alice.jwt, {});
    await settled(stack, alice, busy.body.id);
    const coffee = await stack.api.post('/api/v1/status/update', bob.jwt, { emoji: ':coffee:', message: 'Coffee', platforms: ['github'] });
    await settled(stack, bob, coffee.body.id);

    const a = await memberView(alice);
    expect(a).toEqual({
      subject: alice.subject,
      availability: 'busy',
      emoji: ':no_entry:',
      message: 'Busy, focusing',
      until: expect.any(String),
      source: 'preset',
      platforms: {
        github: { state: 'succeeded', emoji: ':no_entry:', message: 'Busy, focusing', confirmedAt: expect.any(String) },
        slack: { state: 'succeeded', emoji: ':no_entry:', message: 'Busy, focusing', confirmedAt: expect.any(String) },
      },
      agree: true,
      localTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      timeZone: 'UTC',
    });
    const b = await memberView(bob);
    expect(b).toMatchObject({ availability: 'available', agree: false, platforms: { github: { emoji: ':coffee:' }, slack: { state: 'none', emoji: null } } });
  });

  it('drift: a status changed by hand on Slack shows as agree: false after the stale reading is read back', async () => {
    stack.slack.setProfile(alice.slackUserId, { status_text: 'Out walking', status_emoji: ':walking:' });
    // Make the readings stale (older than 10 minutes): the next view asks for a read-back.
    await stack.db.query(`UPDATE platform_configs SET seen_at = now() - interval '11 minutes' WHERE user_id = $1`, [await idOf(alice)]);
    const drifted = await waitFor(async () => {
      const view = await memberView(alice);
      return view.agree === false && view.platforms.slack.message === 'Out walking' ? view : undefined;
    }, 'the Slack read-back to show the hand-made change');
    expect(drifted.platforms.github).toMatchObject({ emoji: ':no_entry:', message: 'Busy, focusing' });
    expect(stack.slack.requests.some((r) => r.method === 'users.profile.get')).toBe(true);
  });

  it('availability pages by subject with a cursor; bad limit and cursor are 400s naming the field', async () => {
    const first = await availability(alice.jwt, '?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await availability(alice.jwt, `?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([first.body.items[0].subject, second.body.items[0].subject]).toEqual([alice.subject, bob.subject].sort());
    for (const [query, field] of [['?limit=201', 'limit'], ['?limit=0', 'limit'], ['?limit=x', 'limit'], ['?cursor=!!', 'cursor'], ['?cursor=AAA', 'cursor']]) {
      const answer = await availability(alice.jwt, query);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('row-level security as the app role: another org sees nothing, members cannot write, the function checks the caller', async () => {
    const [adminId, aliceId, carolId, otherId] = await Promise.all([admin, alice, carol, otherAdmin].map(idOf));
    const other = { userId: otherId, orgId: orgB, role: 'admin' as const };
    await asScope(app, other, async () => {
      expect((await app.query(`SELECT * FROM teams WHERE id = $1`, [teamId])).rowCount).toBe(0);
      expect((await app.query(`SELECT * FROM team_members WHERE team_id = $1`, [teamId])).rowCount).toBe(0);
      expect((await app.query(`UPDATE teams SET name = 'stolen' WHERE id = $1`, [teamId])).rowCount).toBe(0);
      expect((await app.query(`DELETE FROM team_members WHERE team_id = $1`, [teamId])).rowCount).toBe(0);
      expect((await app.query(`SELECT * FROM statusync_team_availability($1, NULL, 10, NULL)`, [teamId])).rowCount).toBe(0);
    });
    await asScope(app, { userId: aliceId, orgId: orgA, role: 'member' }, async () => {
      expect((await app.query(`SELECT * FROM teams WHERE id = $1`, [teamId])).rowCount).toBe(1);
      expect((await app.query(`UPDATE teams SET name = 'mine' WHERE id = $1`, [teamId])).rowCount).toBe(0);
      expect((await app.query(`DELETE FROM team_members WHERE team_id = $1`, [teamId])).rowCount).toBe(0);
      await expect(app.query(`INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)`, [teamId, carolId])).rejects.toThrow(/row-level security/);
    });
    await asScope(app, { userId: aliceId, orgId: orgA, role: 'member' }, async () => {
      await expect(app.query(`INSERT INTO teams (org_id, name) VALUES ($1, 'sneaky')`, [orgA])).rejects.toThrow(/row-level security/);
    });
    await asScope(app, { userId: adminId, orgId: orgA, role: 'admin' }, async () => {
      // Other users' rows stay hidden even to an admin: only the function crosses users.
      expect((await app.query(`SELECT * FROM status_updates WHERE user_id = $1`, [aliceId])).rowCount).toBe(0);
      expect((await app.query(`SELECT * FROM statusync_team_availability($1, NULL, 10, NULL)`, [teamId])).rowCount).toBe(2);
      await expect(app.query(`INSERT INTO teams (org_id, name) VALUES ($1, 'elsewhere')`, [orgB])).rejects.toThrow(/row-level security/);
    });
    await asScope(app, { userId: carolId, orgId: orgA, role: 'member' }, async () => {
      expect((await app.query(`SELECT * FROM statusync_team_availability($1, NULL, 10, NULL)`, [teamId])).rowCount).toBe(0);
    });
    const info = (await stack.db.query(`SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname IN ('teams', 'team_members') AND relnamespace = current_schema()::regnamespace ORDER BY relname`)).rows;
    expect(info).toEqual([
      { relname: 'team_members', relrowsecurity: true, relforcerowsecurity: true },
      { relname: 'teams', relrowsecurity: true, relforcerowsecurity: true },
    ]);
  });

  it('deletes a team: members only 403, other org 404, admin 204', async () => {
    expect((await stack.api.delete(`/api/v1/teams/${teamId}`, alice.jwt)).status).toBe(403);
    expect((await stack.api.delete(`/api/v1/teams/${teamId}`, otherAdmin.jwt)).status).toBe(404);
    expect((await stack.api.delete(`/api/v1/teams/${teamId}`, admin.jwt)).status).toBe(204);
    expect((await stack.api.get(`/api/v1/teams/${teamId}`, admin.jwt)).status).toBe(404);
  });
});
