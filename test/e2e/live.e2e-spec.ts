import { randomBytes } from 'node:crypto';
import { liveStreamKey } from '@statusync/queue';
import { Redis } from 'ioredis';
import { newOrgUser } from '../support/org-users';
import { SseClient } from '../support/sse-client';
import { ServiceProcess } from '../support/services';
import { settled, startStack, TestStack, TestUser, userIdOf } from '../support/stack';
import { E2E } from '../support/test-env';
import { waitFor } from '../support/wait-for';

describe('live: SSE streams of a team and of my own updates', () => {
  let stack: TestStack;
  let secondGateway: ServiceProcess;
  let admin: TestUser, alice: TestUser, bob: TestUser, outsider: TestUser;
  let teamId: string;
  const clients: SseClient[] = [];
  const open = async (url: string, jwt: string, lastEventId?: string) => {
    const client = await SseClient.open(url, jwt, lastEventId);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stack = await startStack('live');
    secondGateway = await stack.startService('api-gateway');
    const org = `org-${randomBytes(3).toString('hex')}`;
    [admin, alice, bob, outsider] = await Promise.all([
      newOrgUser(stack, org, 'admin', []),
      newOrgUser(stack, org, 'member'),
      newOrgUser(stack, org, 'member'),
      newOrgUser(stack, `other-${org}`, 'admin', []),
    ]);
    teamId = (await stack.api.post('/api/v1/teams', admin.jwt, { name: 'Live' })).body.id;
    for (const user of [alice, bob]) await stack.api.request('PUT', `/api/v1/teams/${teamId}/members/${encodeURIComponent(user.subject)}`, { token: admin.jwt });
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await stack?.stop();
  });

  it('refuses callers who may not see the team, before any stream opens', async () => {
    expect((await open(`${stack.api.baseUrl}/api/v1/teams/${teamId}/stream`, outsider.jwt)).status).toBe(404);
    expect((await open(`${stack.api.baseUrl}/api/v1/teams/not-a-uuid/stream`, alice.jwt)).status).toBe(400);
    expect((await open(`${stack.api.baseUrl}/api/v1/status/stream`, 'not-a-jwt')).status).toBe(401);
  });

  it('a teammate\'s change reaches both gateway replicas within a second, per-platform outcomes included', async () => {
    const viaFirst = await open(`${stack.api.baseUrl}/api/v1/teams/${teamId}/stream`, bob.jwt);
    const viaSecond = await open(`${secondGateway.url}/api/v1/teams/${teamId}/stream`, admin.jwt);
    await waitFor(() => viaFirst.comments.includes('connected') && viaSecond.comments.includes('connected'), 'both streams to open');
    const started = Date.now();
    const update = await stack.api.post('/api/v1/status/presets/away', alice.jwt, {});
    expect(update.status).toBe(202);
    for (const client of [viaFirst, viaSecond]) {
      const event = await waitFor(() => client.events.find((e) => e.event === 'availability' && JSON.parse(e.data).subject === alice.subject), 'the change to arrive', 5_000, 10);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(JSON.parse(event.data)).toMatchObject({ subject: alice.subject, availability: 'away' });
    }
    await settled(stack, alice, update.body.id);
    const landed = await waitFor(
      () => viaSecond.events.map((e) => JSON.parse(e.data)).find((m) => m.platforms?.github?.state === 'succeeded' && m.platforms?.slack?.state === 'succeeded' && m.agree === true),
      'the per-platform outcomes to land',
    );
    expect(landed.availability).toBe('away');
  });

  it('my own stream shows pending then each platform\'s outcome, and resumes after Last-Event-ID', async () => {
    const mine = await open(`${stack.api.baseUrl}/api/v1/status/stream`, bob.jwt);
    await waitFor(() => mine.comments.includes('connected'), 'the stream to open');
    const update = await stack.api.post('/api/v1/status/update', bob.jwt, { emoji: ':coffee:', message: 'Coffee' });
    await waitFor(() => mine.events.filter((e) => e.event === 'delivery' && JSON.parse(e.data).updateId === update.body.id).length === 2, 'both deliveries');
    const forUpdate = mine.events.filter((e) => JSON.parse(e.data).updateId === update.body.id);
    expect(forUpdate[0]).toMatchObject({ event: 'accepted' });
    expect(JSON.parse(forUpdate[0].data)).toMatchObject({ state: 'pending', platforms: expect.arrayContaining(['github', 'slack']) });
    expect(forUpdate.slice(1).map((e) => JSON.parse(e.data).state)).toEqual(['succeeded', 'succeeded']);

    // Resume after the "accepted" event, on the other replica: exactly what came after it, once each.
    const resumed = await open(`${secondGateway.url}/api/v1/status/stream`, bob.jwt, forUpdate[0].id);
    await waitFor(() => resumed.events.length >= 2, 'the replay');
    expect(resumed.events.slice(0, 2).map((e) => e.id)).toEqual(forUpdate.slice(1).map((e) => e.id));
    expect(new Set(resumed.events.map((e) => e.id)).size).toBe(resumed.events.length);
  });

  it('tells a client resuming from an event its stream no longer holds to read everything again, then goes on live', async () => {
    const mine = await open(`${stack.api.baseUrl}/api/v1/status/stream`, bob.jwt);
    await waitFor(() => mine.comments.includes('connected'), 'the stream to open');
    const first = await stack.api.post('/api/v1/status/update', bob.jwt, { emoji: ':tea:', message: 'Tea' });
    const seen = await waitFor(() => mine.events.find((e) => e.event === 'accepted' && JSON.parse(e.data).updateId === first.body.id), 'the accepted event');
    await settled(stack, bob, first.body.id);
    // What an hour of trimming does to a stream: every entry up to now is gone.
    const userId = await userIdOf(stack, bob);
    const redis = new Redis(E2E.redisUrl);
    await redis.xtrim(liveStreamKey(stack.queuePrefix, 'user', userId), 'MAXLEN', 0).finally(() => redis.disconnect());

    const resumed = await open(`${secondGateway.url}/api/v1/status/stream`, bob.jwt, seen.id);
    const resync = await waitFor(() => resumed.events.find((e) => e.event === 'resync'), 'the resync event');
    expect(JSON.parse(resync.data)).toEqual({ reason: 'events_trimmed' });
    const next = await stack.api.post('/api/v1/status/update', bob.jwt, { emoji: ':coffee:', message: 'Coffee again' });
    await waitFor(() => resumed.events.some((e) => e.event === 'accepted' && JSON.parse(e.data).updateId === next.body.id), 'live events after the resync');
    expect(resumed.events[0].event).toBe('resync');
    await settled(stack, bob, next.body.id);
  });
});
