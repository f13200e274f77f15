import { RESPONSES_SEEN } from '../support/api-client';
import { newUser, settled, startStack, TestStack } from '../support/stack';

describe('one API call updates GitHub and Slack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('sync');
  }, 60_000);

  afterAll(() => stack?.stop());

  it('applies an update on both platforms, reports success and records it in history', async () => {
    const user = await newUser(stack);
    const expiresAt = new Date(Date.now() + 3_600_000);
    expiresAt.setMilliseconds(0);
    const body = { emoji: ':spiral_calendar_pad:', message: 'In a meeting', limitedAvailability: true, expiresAt: expiresAt.toISOString() };

    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, body);

    expect(accepted.status).toBe(202);
    expect(accepted.body.platforms).toEqual({ github: { state: 'pending' }, slack: { state: 'pending' } });
    expect(accepted.headers.get('location')).toBe(`/api/v1/status/updates/${accepted.body.id}`);

    const outcome = await settled(stack, user, accepted.body.id);
    expect(outcome.state).toBe('succeeded');
    expect(outcome.platforms.github).toMatchObject({ state: 'succeeded', attempts: 1, errorCode: null });
    expect(outcome.platforms.slack).toMatchObject({ state: 'succeeded', attempts: 1, errorCode: null });

    // GitHub got one schema-valid changeUserStatus with exactly our fields.
    const [mutation] = stack.github.mutations(user.githubLogin);
    expect(stack.github.mutations(user.githubLogin)).toHaveLength(1);
    expect(mutation.validationErrors).toEqual([]);
    expect(mutation.token).toBe(user.githubToken);
    // GitHub's name for the calendar is :spiral_calendar: (Slack's is :spiral_calendar_pad:): each gets its own.
    expect(mutation.variables).toEqual({
      input: { emoji: ':spiral_calendar:', message: 'In a meeting', limitedAvailability: true, expiresAt: expiresAt.toISOString() },
    });
    expect(stack.github.statusOf(user.githubLogin)).toMatchObject({
      emoji: ':spiral_calendar:',
      message: 'In a meeting',
      indicatesLimitedAvailability: true,
    });

    // Slack got one valid users.profile.set.
    const writes = stack.slack.profileWrites(user.slackUserId);
    expect(writes).toHaveLength(1);
    expect(writes[0].token).toBe(user.slackToken);
    expect(stack.slack.profileOf(user.slackUserId)).toEqual({
      status_text: 'In a meeting',
      status_emoji: ':spiral_calendar_pad:',
      status_expiration: Math.floor(expiresAt.getTime() / 1000),
    });

    const history = await stack.api.get('/api/v1/status/history', user.jwt);
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ id: accepted.body.id, message: 'In a meeting', state: 'succeeded' });
    expect(history.body.nextCursor).toBeNull();

    const current = await stack.api.get('/api/v1/status/current', user.jwt);
    expect(current.body.requested.id).toBe(accepted.body.id);
    expect(current.body.platforms.github.applied).toMatchObject({ updateId: accepted.body.id, message: 'In a meeting' });
    expect(current.body.platforms.slack.applied).toMatchObject({ updateId: accepted.body.id, emoji: ':spiral_calendar_pad:' });
  });

  it('updates only the platforms asked for', async () => {
    const user = await newUser(stack);
    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'Slack only', emoji: ':coffee:', platforms: ['slack'] });
    expect(accepted.status).toBe(202);
    expect(Object.keys(accepted.body.platforms)).toEqual(['slack']);
    // The outcome first: when the profile below is wrong, this says whether (and why) the delivery failed.
    expect((await settled(stack, user, accepted.body.id)).platforms).toEqual({ slack: expect.objectContaining({ state: 'succeeded', errorCode: null }) });
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Slack only');
    expect(stack.github.mutations(user.githubLogin)).toHaveLength(0);
  });

  it('applies a preset with its defaults and with overrides', async () => {
    const user = await newUser(stack);
    const busy = await stack.api.post('/api/v1/status/presets/busy', user.jwt);
    expect(busy.status).toBe(202);
    const outcome = await settled(stack, user, busy.body.id);
    expect(outcome).toMatchObject({ preset: 'busy', emoji: ':no_entry:', limitedAvailability: true, state: 'succeeded' });
    // Busy lasts an hour by default.
    expect(Math.abs(new Date(outcome.expiresAt).getTime() - (Date.now() + 3_600_000))).toBeLessThan(60_000);
    expect(stack.github.statusOf(user.githubLogin)?.indicatesLimitedAvailability).toBe(true);

    const lunch = await stack.api.post('/api/v1/status/presets/lunch', user.jwt, { message: 'Team lunch', durationMinutes: 90, platforms: ['github'] });
    expect(lunch.status).toBe(202);
    const lunchOutcome = await settled(stack, user, lunch.body.id);
    expect(lunchOutcome).toMatchObject({ preset: 'lunch', emoji: ':hamburger:', message: 'Team lunch', limitedAvailability: false });
    expect(Object.keys(lunchOutcome.platforms)).toEqual(['github']);
    expect(stack.github.statusOf(user.githubLogin)?.message).toBe('Team lunch');
  });

  it('clears the status on both platforms', async () => {
    const user = await newUser(stack);
    await settled(stack, user, (await stack.api.post('/api/v1/status/update', user.jwt, { message: 'Away', emoji: ':palm_tree:' })).body.id);
    expect(stack.github.statusOf(user.githubLogin)).not.toBeNull();

    const cleared = await stack.api.post('/api/v1/status/clear', user.jwt);
    expect(cleared.status).toBe(202);
    const outcome = await settled(stack, user, cleared.body.id);
    expect(outcome).toMatchObject({ kind: 'clear', state: 'succeeded' });
    expect(stack.github.statusOf(user.githubLogin)).toBeNull();
    expect(stack.github.mutations(user.githubLogin).at(-1)?.variables).toEqual({ input: {} });
    expect(stack.slack.profileOf(user.slackUserId)).toMatchObject({ status_text: '', status_emoji: '' });
  });

  it('pages history newest first and filters it by platform and time', async () => {
    const user = await newUser(stack);
    const ids: string[] = [];
    for (const [i, platforms] of [['github'], ['slack'], ['github', 'slack'], ['slack'], ['github']].entries()) {
      const answer = await stack.api.post('/api/v1/status/update', user.jwt, { message: `update ${i}`, platforms });
      ids.push(answer.body.id);
    }
    const first = await stack.api.get('/api/v1/status/history?limit=2', user.jwt);
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([ids[4], ids[3]]);
    const second = await stack.api.get(`/api/v1/status/history?limit=2&cursor=${first.body.nextCursor}`, user.jwt);
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    const third = await stack.api.get(`/api/v1/status/history?limit=2&cursor=${second.body.nextCursor}`, user.jwt);
    expect(third.body.items.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
    expect(third.body.nextCursor).toBeNull();

    const githubOnly = await stack.api.get('/api/v1/status/history?platform=github', user.jwt);
    expect(githubOnly.body.items.map((item: { id: string }) => item.id)).toEqual([ids[4], ids[2], ids[0]]);

    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await stack.api.get(`/api/v1/status/history?from=${encodeURIComponent(future)}`, user.jwt);
    expect(none.body.items).toEqual([]);
  });

  it('lists and removes platform configurations without ever showing a token', async () => {
    const user = await newUser(stack);
    const listed = await stack.api.get('/api/v1/config/platforms', user.jwt);
    expect(listed.status).toBe(200);
    expect(listed.body.map((c: { platform: string }) => c.platform)).toEqual(['github', 'slack']);
    expect(listed.body[0]).toMatchObject({ platform: 'github', accountName: user.githubLogin, state: 'active' });
    expect(listed.text).not.toContain(user.githubToken);
    expect(listed.text).not.toContain(user.slackToken);

    expect((await stack.api.delete('/api/v1/config/platforms/slack', user.jwt)).status).toBe(204);
    const after = await stack.api.get('/api/v1/config/platforms', user.jwt);
    expect(after.body.map((c: { platform: string }) => c.platform)).toEqual(['github']);
    expect((await stack.api.delete('/api/v1/config/platforms/slack', user.jwt)).status).toBe(404);

    const update = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'GitHub is all that is left' });
    expect(Object.keys(update.body.platforms)).toEqual(['github']);
    expect(RESPONSES_SEEN.length).toBeGreaterThan(0);
  });
});
