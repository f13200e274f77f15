import { newUser, settled, startStack, TestStack } from '../support/stack';

describe('audit log of security events', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('audit');
  }, 60_000);

  afterAll(() => stack?.stop());

  const eventsOf = async (subject: string) =>
    (
      await stack.db.query(
        `SELECT a.event, a.details, a.request_id FROM audit_events a JOIN users u ON u.id = a.user_id WHERE u.subject = $1 ORDER BY a.id`,
        [subject],
      )
    ).rows as { event: string; details: Record<string, unknown>; request_id: string | null }[];

  it('records connecting, re-authorisation needed and disconnecting, with the request id and never a token', async () => {
    const user = await newUser(stack);
    expect((await eventsOf(user.subject)).map((e) => [e.event, e.details.platform, e.details.via])).toEqual([
      ['platform.connected', 'github', 'token'],
      ['platform.connected', 'slack', 'token'],
    ]);

    stack.slack.revokeToken(user.slackToken);
    const update = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'hello' }, { 'x-request-id': 'audit-req-1' });
    await settled(stack, user, update.body.id);
    const reauth = (await eventsOf(user.subject)).find((e) => e.event === 'platform.reauth_required');
    expect(reauth).toMatchObject({ details: { platform: 'slack', reason: expect.stringContaining('token_revoked') }, request_id: 'audit-req-1' });

    const removed = await stack.api.request('DELETE', '/api/v1/config/platforms/github', { token: user.jwt, headers: { 'x-request-id': 'audit-req-2' } });
    expect(removed.status).toBe(204);
    expect((await eventsOf(user.subject)).at(-1)).toMatchObject({ event: 'platform.disconnected', details: { platform: 'github' }, request_id: 'audit-req-2' });

    const everything = JSON.stringify(await eventsOf(user.subject));
    expect(everything).not.toContain(user.githubToken);
    expect(everything).not.toContain(user.slackToken);
  });

  it('records nothing for a refused connection attempt', async () => {
    const user = await newUser(stack, []);
    const refused = await stack.api.post('/api/v1/config/platforms', user.jwt, { platform: 'github', token: 'ghp_not_a_known_token' });
    expect(refused.status).toBe(422);
    expect(await eventsOf(user.subject)).toEqual([]);
  });
});
