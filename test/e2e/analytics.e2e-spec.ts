import { mintJwt } from '../support/jwt';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';

/**
 * GET /status/analytics against the fakes: the figures are exactly the updates this file made (a retry, a
 * failure with its code, a preset), the window and scope are validated, and one org never sees another's.
 */
describe('status analytics', () => {
  let stack: TestStack;
  let alice: TestUser; // member of org A, makes every update below
  let orgAdmin: TestUser; // admin of org A, makes none
  let otherAdmin: TestUser; // admin of org B
  let from: string;
  let to: string;
  const made: { id: string; outcome: any }[] = [];

  const inOrg = (user: TestUser, orgId: string, role: 'member' | 'admin') => ({ ...user, jwt: mintJwt(user.subject, { claims: { org_id: orgId, role } }) });
  const analytics = (user: TestUser, query: Record<string, string> = {}) =>
    stack.api.get(`/api/v1/status/analytics?${new URLSearchParams({ from, to, ...query })}`, user.jwt);

  async function post(path: string, body: Record<string, unknown>) {
    const answer = await stack.api.post(path, alice.jwt, body);
    expect(answer.status).toBe(202);
    made.push({ id: answer.body.id, outcome: await settled(stack, alice, answer.body.id) });
  }

  beforeAll(async () => {
    stack = await startStack('analytics');
    from = new Date(Date.now() - 1_000).toISOString();
    alice = inOrg(await newUser(stack), 'org-a', 'member');
    orgAdmin = inOrg(await newUser(stack), 'org-a', 'admin');
    otherAdmin = inOrg(await newUser(stack), 'org-b', 'admin');
    // Make the org membership known: users join their org when their token is first seen.
    for (const user of [orgAdmin, otherAdmin]) expect((await stack.api.get('/api/v1/status/current', user.jwt)).status).toBe(200);

    await post('/api/v1/status/update', { message: 'Plain', emoji: ':coffee:' });
    await post('/api/v1/status/presets/lunch', {});
    stack.slack.failNext('server_error', 1); // Slack fails once, then takes the retry
    await post('/api/v1/status/update', { message: 'Retried on Slack' });
    stack.slack.failNext('invalid_auth', 1); // permanent: failed with the platform's code
    await post('/api/v1/status/update', { message: 'Refused by Slack', platforms: ['slack'] });
    to = new Date(Date.now() + 60_000).toISOString();
  }, 120_000);

  afterAll(async () => {
    stack?.slack.reset();
    await stack?.stop();
  });

  /** percentile_disc over the latencies the API itself reports (completedAt − requestedAt) of succeeded updates. */
  function latency(platform: string, fraction: number): number {
    const sorted = made
      .filter(({ outcome }) => outcome.platforms[platform]?.state === 'succeeded')
      .map(({ outcome }) => Date.parse(outcome.platforms[platform].completedAt) - Date.parse(outcome.requestedAt))
      .sort((a, b) => a - b);
    return sorted[Math.ceil(fraction * sorted.length) - 1];
  }

  it('counts each update once per platform, with retries, failures by code, latency and presets', async () => {
    expect(made.map((m) => [m.outcome.platforms.github?.state, m.outcome.platforms.slack.state])).toEqual([
      ['succeeded', 'succeeded'],
      ['succeeded', 'succeeded'],
      ['succeeded', 'succeeded'],
      [undefined, 'failed'],
    ]);
    const answer = await analytics(alice);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ from, to: new Date(to).toISOString(), templates: [{ name: 'lunch', uses: 1 }] });
    expect(answer.body.platforms.github).toMatchObject({ attempted: 3, succeeded: 3, superseded: 0, failed: 0, failedByCode: {}, retries: 0 });
    expect(answer.body.platforms.slack).toMatchObject({ attempted: 4, succeeded: 3, superseded: 0, failed: 1, failedByCode: { invalid_auth: 1 }, retries: 1 });
    // Retries are exactly the sync log's `retrying` attempts of these updates.
    const { rows } = await stack.db.query(`SELECT platform, count(*)::int AS n FROM sync_logs WHERE update_id = ANY ($1) AND outcome = 'retrying' GROUP BY platform`, [made.map((m) => m.id)]);
    expect(rows).toEqual([{ platform: 'slack', n: 1 }]);
    for (const platform of ['github', 'slack']) {
      const figures = answer.body.platforms[platform];
      // The API's timestamps are rounded to the millisecond, the database's are not.
      expect(Math.abs(figures.p50Ms - latency(platform, 0.5))).toBeLessThanOrEqual(2);
      expect(Math.abs(figures.p95Ms - latency(platform, 0.95))).toBeLessThanOrEqual(2);
      expect(figures.p50Ms).toBeGreaterThan(0);
    }
  });

  it('narrows to one platform, and to the window', async () => {
    const githubOnly = await analytics(alice, { platform: 'github' });
    expect(Object.keys(githubOnly.body.platforms)).toEqual(['github']);
    expect(githubOnly.body.platforms.github).toMatchObject({ attempted: 3, succeeded: 3 });
    expect(githubOnly.body.templates).toEqual([{ name: 'lunch', uses: 1 }]);

    const before = await stack.api.get(`/api/v1/status/analytics?to=${encodeURIComponent(from)}`, alice.jwt);
    expect(before.status).toBe(200);
    expect(before.body.platforms.slack).toEqual({ attempted: 0, succeeded: 0, superseded: 0, failed: 0, failedByCode: {}, retries: 0, p50Ms: null, p95Ms: null });
    expect(before.body.templates).toEqual([]);
    // Default window: the 30 days up to now.
    const recent = await stack.api.get('/api/v1/status/analytics', alice.jwt);
    expect(Date.parse(recent.body.to) - Date.parse(recent.body.from)).toBe(30 * 86_400_000);
    expect(recent.body.platforms.slack.attempted).toBe(4);
  });

  it('gives org admins the whole org, and nothing of another org', async () => {
    const org = await analytics(orgAdmin, { scope: 'org' });
    expect(org.status).toBe(200);
    expect(org.body.platforms.slack).toMatchObject({ attempted: 4, failed: 1, retries: 1 });
    expect(org.body.templates).toEqual([{ name: 'lunch', uses: 1 }]);
    // The admin's own figures are their own only.
    expect((await analytics(orgAdmin)).body.platforms.slack.attempted).toBe(0);

    const other = await analytics(otherAdmin, { scope: 'org' });
    expect(other.status).toBe(200);
    expect(other.body.platforms.github.attempted).toBe(0);
    expect(other.body.platforms.slack.attempted).toBe(0);
    expect(other.body.templates).toEqual([]);
  });

  it('refuses scope=org to members (403) and to users without an org (400)', async () => {
    const member = await analytics(alice, { scope: 'org' });
    expect(member.status).toBe(403);
    expect(member.headers.get('content-type')).toContain('application/problem+json');
    expect(member.body).toMatchObject({ status: 403, type: 'https://statusync.dev/problems/forbidden' });

    const loner = await newUser(stack, []);
    const noOrg = await stack.api.get('/api/v1/status/analytics?scope=org', loner.jwt);
    expect(noOrg.status).toBe(400);
    expect(noOrg.body.errors).toEqual([{ field: 'scope', reason: expect.stringContaining('org_id') }]);
  });

  it.each([
    ['from', { from: 'yesterday' }],
    ['to', { to: '2026-13-01T00:00:00Z' }],
    ['to', { from: '2026-05-02T00:00:00Z', to: '2026-05-01T00:00:00Z' }],
    ['to', { from: '2026-05-01T00:00:00Z', to: '2026-05-01T00:00:00Z' }],
    ['from', { from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }],
    ['platform', { platform: 'teams' }],
    ['scope', { scope: 'everyone' }],
    ['bogus', { bogus: '1' }],
  ])('400 naming %s for %j', async (field, query) => {
    const answer = await stack.api.get(`/api/v1/status/analytics?${new URLSearchParams(query)}`, alice.jwt);
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([
    ['0000-01-01T00:00:00Z', '0000-06-01T00:00:00Z'],
    ['9999-06-01T00:00:00Z', '9999-12-31T23:59:59Z'],
    ['1969-12-31T23:59:59.999999999+14:00', '1970-01-01T00:00:00-12:00'],
  ])('answers far-off windows without an error (%s)', async (farFrom, farTo) => {
    const answer = await stack.api.get(`/api/v1/status/analytics?${new URLSearchParams({ from: farFrom, to: farTo })}`, alice.jwt);
    expect(answer.status).toBe(200);
    expect(answer.body.platforms.github.attempted).toBe(0);
  });

  it('accepts a window of exactly 366 days', async () => {
    const answer = await stack.api.get('/api/v1/status/analytics?from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z', alice.jwt);
    expect(answer.status).toBe(200);
  });
});
