import { DateTime } from 'luxon';
import { DEFAULT_SLACK_EMOJI } from '../fakes/slack-state';
import { patch, refusedUnchanged, TEMPLATES } from '../support/templates-helpers';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';

describe('templates: create, list, apply, override, delete', () => {
  let stack: TestStack;
  let user: TestUser;

  beforeAll(async () => {
    // The Slack workspace has one custom emoji, as a real one might.
    stack = await startStack('templates', { ownSchema: true, fakes: { slack: { emoji: [...DEFAULT_SLACK_EMOJI, 'party-parrot'] } } });
    user = await newUser(stack);
    const zone = await patch(stack, '/api/v1/me', user.jwt, { timeZone: 'Asia/Kolkata' });
    if (zone.status !== 200) throw new Error(`PATCH /me: ${zone.status} ${zone.text}`);
  }, 60_000);

  afterAll(() => stack?.stop());

  const create = (body: object, who = user) => stack.api.post(TEMPLATES, who.jwt, body);

  it('creates a personal template with exactly the documented fields, lists and reads it', async () => {
    const created = await create({ name: 'Focus', emoji: '🎧', message: 'Focusing until {until}', limitedAvailability: true, durationMinutes: 90 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Focus',
      scope: 'personal',
      emoji: '🎧',
      message: 'Focusing until {until}',
      limitedAvailability: true,
      durationMinutes: 90,
      until: null,
      platforms: null,
      overrides: {},
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await stack.api.get(`${TEMPLATES}/${created.body.id}`, user.jwt)).body).toEqual(created.body);
    const listed = await stack.api.get(TEMPLATES, user.jwt);
    expect(listed.body.map((t: { name: string }) => t.name)).toContain('Focus');
    expect((await stack.api.get(`${TEMPLATES}?scope=org`, user.jwt)).body).toEqual([]);
    expect((await stack.api.get(`${TEMPLATES}?scope=personal`, user.jwt)).body.map((t: { id: string }) => t.id)).toContain(created.body.id);
  });

  it('applies a template (202 like /status/update) with placeholders in the user\'s zone, and records where it came from', async () => {
    const template = (await create({ name: 'Meeting', emoji: ':spiral_calendar_pad:', message: 'Back at {until}, in {duration}', durationMinutes: 45 })).body;
    const applied = await stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt);
    expect(applied.status).toBe(202);
    expect(applied.body.platforms).toEqual({ github: { state: 'pending' }, slack: { state: 'pending' } });
    expect(applied.headers.get('location')).toBe(applied.body.statusUrl);
    const outcome = await settled(stack, user, applied.body.id);

    const until = DateTime.fromISO(outcome.expiresAt, { zone: 'Asia/Kolkata' }).toFormat('HH:mm');
    expect(outcome).toMatchObject({ state: 'succeeded', message: `Back at ${until}, in 45 min` });
    expect(stack.github.statusOf(user.githubLogin)).toMatchObject({ message: `Back at ${until}, in 45 min`, emoji: ':spiral_calendar:' });
    expect(stack.slack.profileOf(user.slackUserId)).toMatchObject({ status_text: `Back at ${until}, in 45 min`, status_emoji: ':spiral_calendar_pad:' });
    const { rows } = await stack.db.query(`SELECT source, template_id, template_name FROM status_updates WHERE id = $1`, [applied.body.id]);
    expect(rows[0]).toEqual({ source: 'template', template_id: template.id, template_name: 'Meeting' });
  });

  it('ends "end_of_day" templates at midnight in the user\'s zone; the apply body overrides message, expiry and platforms', async () => {
    const template = (await create({ name: 'Day off', emoji: ':palm_tree:', message: 'Off until {until}', until: 'end_of_day' })).body;
    const applied = await stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt);
    const outcome = await settled(stack, user, applied.body.id);
    const end = DateTime.fromISO(outcome.expiresAt, { zone: 'Asia/Kolkata' });
    expect(end.toFormat('HH:mm:ss')).toBe('23:59:59');
    expect(outcome.message).toBe('Off until 23:59');

    const once = await stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt, { message: 'Back in {duration}', durationMinutes: 120, platforms: ['github'] });
    const onceOutcome = await settled(stack, user, once.body.id);
    expect(onceOutcome).toMatchObject({ message: 'Back in 2 h', emoji: ':palm_tree:' });
    expect(Object.keys(onceOutcome.platforms)).toEqual(['github']);
  });

  it('sends each platform its override: a custom emoji to Slack only, a message to GitHub only', async () => {
    const template = (
      await create({ name: 'Party', emoji: '🎉', message: 'Celebrating', overrides: { slack: { emoji: ':party-parrot:' }, github: { message: 'Shipping 🎉 for {duration}' } }, durationMinutes: 60 })
    ).body;
    expect(template.overrides).toEqual({ slack: { emoji: ':party-parrot:' }, github: { message: 'Shipping 🎉 for {duration}' } });
    await settled(stack, user, (await stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt)).body.id);
    expect(stack.slack.profileOf(user.slackUserId)).toMatchObject({ status_emoji: ':party-parrot:', status_text: 'Celebrating' });
    expect(stack.github.statusOf(user.githubLogin)).toMatchObject({ emoji: ':tada:', message: 'Shipping 🎉 for 1 h' });
  });

  it('takes Unicode emoji in status updates and sends each platform its own form', async () => {
    const pizza = await stack.api.post('/api/v1/status/update', user.jwt, { emoji: '🍕', message: 'Lunch' });
    expect(pizza.status).toBe(202);
    expect(await settled(stack, user, pizza.body.id)).toMatchObject({ state: 'succeeded', emoji: '🍕' });
    expect(stack.github.statusOf(user.githubLogin)?.emoji).toBe(':pizza:');
    expect(stack.slack.profileOf(user.slackUserId).status_emoji).toBe(':pizza:');
  });

  it('changes a template with PATCH and deletes it; afterwards it is 404 everywhere', async () => {
    const template = (await create({ name: 'Walk', emoji: ':walking:', durationMinutes: 30 })).body;
    const changed = await patch(stack, `${TEMPLATES}/${template.id}`, user.jwt, { name: 'Long walk', until: 'end_of_day', message: 'Walking' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Long walk', until: 'end_of_day', durationMinutes: null, message: 'Walking', emoji: ':walking:' });
    expect((await patch(stack, `${TEMPLATES}/${template.id}`, user.jwt, { emoji: null })).body.emoji).toBeNull();

    expect((await stack.api.delete(`${TEMPLATES}/${template.id}`, user.jwt)).status).toBe(204);
    await refusedUnchanged(stack, () => stack.api.get(`${TEMPLATES}/${template.id}`, user.jwt), 404);
    await refusedUnchanged(stack, () => stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt), 404);
    await refusedUnchanged(stack, () => stack.api.delete(`${TEMPLATES}/${template.id}`, user.jwt), 404);
  });

  it('refuses a duplicate name in any case (409) and another user\'s template (404), changing nothing', async () => {
    const template = (await create({ name: 'Commute', emoji: ':bus:' })).body;
    await refusedUnchanged(stack, () => create({ name: 'COMMUTE', emoji: ':car:' }), 409, 'name');
    const other = (await create({ name: 'Other', emoji: ':car:' })).body;
    await refusedUnchanged(stack, () => patch(stack, `${TEMPLATES}/${other.id}`, user.jwt, { name: 'commute' }), 409, 'name');

    const stranger = await newUser(stack);
    expect((await create({ name: 'Commute', emoji: ':bus:' }, stranger)).status).toBe(201); // names are per user
    for (const send of [
      () => stack.api.get(`${TEMPLATES}/${template.id}`, stranger.jwt),
      () => patch(stack, `${TEMPLATES}/${template.id}`, stranger.jwt, { message: 'mine now' }),
      () => stack.api.delete(`${TEMPLATES}/${template.id}`, stranger.jwt),
      () => stack.api.post(`${TEMPLATES}/${template.id}/apply`, stranger.jwt),
    ]) {
      await refusedUnchanged(stack, send, 404);
    }
    expect((await stack.api.get(TEMPLATES, stranger.jwt)).body.map((t: { name: string }) => t.name)).toEqual(['Commute']);
  });

  it.each([
    ['no name', { emoji: ':bus:' }, 'name'],
    ['a name of 65 characters', { name: 'n'.repeat(65), emoji: ':bus:' }, 'name'],
    ['a name with a slash', { name: 'a/b', emoji: ':bus:' }, 'name'],
    ['neither emoji nor message', { name: 'Empty' }, 'message'],
    ['an unknown emoji', { name: 'X', emoji: ':not_a_real_emoji:' }, 'emoji'],
    ['two emoji', { name: 'X', emoji: '🍕🍕' }, 'emoji'],
    ['a custom emoji outside a Slack override', { name: 'X', emoji: ':bus:', overrides: { github: { emoji: ':party-parrot:' } } }, 'overrides.github.emoji'],
    ['an unknown platform override', { name: 'X', emoji: ':bus:', overrides: { gitlab: { emoji: ':bus:' } } }, 'overrides.gitlab'],
    ['a Slack override message over 100', { name: 'X', emoji: ':bus:', overrides: { slack: { message: 's'.repeat(101) } } }, 'overrides.slack.message'],
    ['durationMinutes 0', { name: 'X', emoji: ':bus:', durationMinutes: 0 }, 'durationMinutes'],
    ['durationMinutes 1.5', { name: 'X', emoji: ':bus:', durationMinutes: 1.5 }, 'durationMinutes'],
    ['both durationMinutes and until', { name: 'X', emoji: ':bus:', durationMinutes: 5, until: 'end_of_day' }, 'durationMinutes'],
    ['an unknown until', { name: 'X', emoji: ':bus:', until: 'tomorrow' }, 'until'],
    ['placeholders without an end', { name: 'X', message: 'Back at {until}' }, 'message'],
    ['an unknown scope', { name: 'X', emoji: ':bus:', scope: 'team' }, 'scope'],
    ['org scope without an org in the token', { name: 'X', emoji: ':bus:', scope: 'org' }, 'scope'],
  ])('refuses %s (400 naming the field) and changes nothing', async (_name, body, field) => {
    await refusedUnchanged(stack, () => create(body), 400, field);
  });

  it('refuses a message that no longer fits a platform once resolved, at apply', async () => {
    // {duration} (10 characters) becomes "8759 h 59 min" (13): 80 → 83, over GitHub's 80.
    const template = (await create({ name: 'Sabbatical', message: `${'m'.repeat(70)}{duration}`, durationMinutes: 525_599 })).body;
    const answer = await refusedUnchanged(stack, () => stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt), 400, 'message');
    expect(answer.body.errors[0].reason).toMatch(/83 characters; github allows 80/);
    // Slack alone allows 100: the same template applies there.
    expect((await stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt, { platforms: ['slack'] })).status).toBe(202);
  });

  it('refuses a bad id, an unknown one and a bad apply body', async () => {
    await refusedUnchanged(stack, () => stack.api.get(`${TEMPLATES}/not-a-uuid`, user.jwt), 400, 'id');
    await refusedUnchanged(stack, () => stack.api.post(`${TEMPLATES}/00000000-0000-4000-8000-000000000000/apply`, user.jwt), 404);
    const template = (await create({ name: 'Nap', emoji: ':zzz:' })).body;
    await refusedUnchanged(stack, () => stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt, { durationMinutes: -1 }), 400, 'durationMinutes');
    await refusedUnchanged(stack, () => stack.api.post(`${TEMPLATES}/${template.id}/apply`, user.jwt, { emoji: ':bus:' }), 400, 'emoji');
    await refusedUnchanged(stack, () => stack.api.get(`${TEMPLATES}?scope=team`, user.jwt), 400, 'scope');
  });
});
