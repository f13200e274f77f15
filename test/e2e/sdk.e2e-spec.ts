import { createStatusyncClient, StatusyncClient, StatusyncError, type ServerSentEvent } from '@statusync/sdk';
import { randomBytes } from 'node:crypto';
import { newOrgUser } from '../support/org-users';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

/** The SDK (packages/sdk) against the real gateway and worker, with the platform fakes behind them. */
describe('@statusync/sdk against the gateway', () => {
  let stack: TestStack;
  let user: TestUser;
  let client: StatusyncClient;
  const sent: { method: string; url: string; idempotencyKey: string | null }[] = [];

  const clientFor = (jwt: string) =>
    createStatusyncClient({
      baseUrl: stack.services['api-gateway'].url,
      token: jwt,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        sent.push({ method: request.method, url: request.url, idempotencyKey: request.headers.get('idempotency-key') });
        return fetch(request);
      },
    });

  beforeAll(async () => {
    stack = await startStack('sdk');
    user = await newUser(stack);
    client = clientFor(user.jwt);
  });
  afterAll(() => stack?.stop());

  it('sets a status, follows it to every platform, and sends an Idempotency-Key on the write only', async () => {
    const accepted = await client.status.update({ emoji: ':coffee:', message: 'Coffee', durationMinutes: 15 });
    expect(accepted.platforms).toEqual({ github: { state: 'pending' }, slack: { state: 'pending' } });
    const final = await client.status.settled(accepted.id, { pollMs: 50 });
    expect(final.state).toBe('succeeded');
    expect(final.message).toBe('Coffee');
    const writes = sent.filter((r) => r.method === 'POST');
    const reads = sent.filter((r) => r.method === 'GET');
    expect(writes.at(-1)?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(reads.every((r) => r.idempotencyKey === null)).toBe(true);
    expect((await client.status.current()).requested?.id).toBe(accepted.id);
  });

  it('applies a preset with minutes, and clears', async () => {
    const accepted = await client.status.preset('busy', { minutes: 30 });
    const update = await client.status.get(accepted.id);
    expect(update.preset).toBe('busy');
    // expiresAt is taken a moment after requestedAt: 30 minutes, give or take the time between the two.
    expect(Math.abs(Date.parse(update.expiresAt ?? '') - Date.parse(update.requestedAt) - 30 * 60_000)).toBeLessThan(1_000);
    expect((await client.status.presets()).map((p) => p.name)).toEqual(expect.arrayContaining(['busy', 'lunch']));
    const cleared = await client.status.clear({ platforms: ['github'] });
    expect(Object.keys(cleared.platforms)).toEqual(['github']);
  });

  it('throws StatusyncError carrying the problem details, naming the field', async () => {
    const refused = await client.status.update({ message: 'x'.repeat(500) }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StatusyncError);
    const error = refused as StatusyncError;
    expect(error.status).toBe(400);
    expect(error.kind).toBe('validation');
    expect(error.fieldErrors.map((e) => e.field)).toContain('message');
    const missing = (await client.status.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e)) as StatusyncError;
    expect([missing.status, missing.problem.title]).toEqual([404, 'Not Found']);
  });

  it('manages templates and applies one', async () => {
    const name = `Focus ${randomBytes(3).toString('hex')}`;
    const template = await client.templates.create({ name, emoji: ':headphones:', message: 'Focusing', durationMinutes: 90 });
    expect((await client.templates.list()).map((t) => t.name)).toContain(name);
    expect((await client.templates.update(template.id, { message: 'Deep work' })).message).toBe('Deep work');
    const applied = await client.templates.apply(template.id);
    expect((await client.status.settled(applied.id, { pollMs: 50 })).message).toBe('Deep work');
    await client.templates.remove(template.id);
    expect(((await client.templates.get(template.id).catch((e: unknown) => e)) as StatusyncError).status).toBe(404);
  });

  it('iterates the history page by page', async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of client.history.list({ limit: 2 })) {
      pages++;
      seen.push(...page.items.map((item) => item.id));
    }
    const all = (await client.raw.GET('/api/v1/status/history', { params: { query: { limit: 100 } } })).data?.items.map((i) => i.id);
    expect(seen).toEqual(all);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(seen.length / 2));
    expect(pages).toBeGreaterThan(1);
  });

  it('streams my own updates over SSE with the Authorization header', async () => {
    const controller = new AbortController();
    const events: ServerSentEvent[] = [];
    const reading = (async () => {
      for await (const event of client.status.stream({ signal: controller.signal })) events.push(event);
    })();
    // The stream is open once the gateway has a subscriber; an update made after it shows as events.
    await waitFor(() => sent.some((r) => r.url.endsWith('/api/v1/status/stream')), 'the stream request');
    const accepted = await waitFor(async () => {
      const answer = await client.status.update({ message: 'Streaming' });
      return (await waitFor(() => events.find((e) => (e.data as { updateId?: string }).updateId === answer.id && e.event === 'delivery'), 'a delivery event', 5_000).catch(() => undefined)) && answer;
    }, 'an update seen on the stream', 30_000);
    expect(accepted.id).toBeDefined();
    controller.abort();
    await reading;
  });

  it("reads a team's availability and follows its stream", async () => {
    const org = `org-${randomBytes(3).toString('hex')}`;
    const admin = await newOrgUser(stack, org, 'admin');
    const member = await newOrgUser(stack, org, 'member');
    const adminClient = clientFor(admin.jwt);
    const team = (await adminClient.raw.POST('/api/v1/teams', { body: { name: 'Platform' } })).data!;
    await adminClient.raw.PUT('/api/v1/teams/{id}/members/{subject}', { params: { path: { id: team.id, subject: member.subject } } });
    const page = await adminClient.teams.availability(team.id);
    expect(page.items.map((m) => m.subject)).toEqual([member.subject]);

    const controller = new AbortController();
    const events: ServerSentEvent[] = [];
    const reading = (async () => {
      for await (const event of adminClient.teams.stream(team.id, { signal: controller.signal })) events.push(event);
    })();
    const memberClient = clientFor(member.jwt);
    await waitFor(async () => {
      await memberClient.status.update({ emoji: ':palm_tree:', message: 'Away' });
      return waitFor(() => events.find((e) => e.event === 'availability'), 'an availability event', 5_000).catch(() => undefined);
    }, 'the team stream to show the member', 30_000);
    expect((events[0].data as { subject: string }).subject).toBe(member.subject);
    controller.abort();
    await reading;
  });
});
