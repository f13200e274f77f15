import { LIVE_FIELD, liveStreamKey, UserLiveEvent } from '@statusync/queue';
import { livePublisherWorld } from './support/live-publisher-world';

/**
 * Middle tier (real Redis): the worker publishes each settled job's live event as single commands that the client
 * auto-pipelines, so events published in the same turn share one write. Each must still land, whole, on the
 * user's stream and every team's, with the idle TTL; the gateway's batched path (appendTo) writes the same entries.
 */
describe('LivePublisher (auto-pipelined stream writes)', () => {
  const { prefix, publisher, redis, config } = livePublisherWorld('live-publisher');
  /** An idle stream lives one resume window (an hour by default). */
  const LIVE_STREAM_TTL_SECONDS = config.live.resumeWindowMs / 1000;
  const event = (i: number): UserLiveEvent => ({ type: 'delivery', updateId: `update-${i}`, platform: 'slack', state: 'succeeded', errorCode: null });
  const entries = async (key: string) => (await redis.xrange(key, '-', '+')).map(([, fields]) => JSON.parse(fields[fields.indexOf(LIVE_FIELD) + 1]));

  it('events published in the same turn each reach the user stream and every team stream, with the TTL', async () => {
    const users = Array.from({ length: 50 }, (_, i) => ({ userId: `user-${i}`, subject: `subject-${i}`, teamIds: i % 2 === 0 ? ['team-even', `team-${i}`] : [] }));
    await Promise.all(users.map((audience, i) => publisher.publish(audience, event(i))));

    for (const [i, { userId }] of users.entries()) expect(await entries(liveStreamKey(prefix, 'user', userId))).toEqual([event(i)]);
    const even = await entries(liveStreamKey(prefix, 'team', 'team-even'));
    expect(even).toHaveLength(25);
    expect(new Set(even.map((entry: { subject: string }) => entry.subject))).toEqual(new Set(users.filter((_, i) => i % 2 === 0).map((u) => u.subject)));
    expect(await entries(liveStreamKey(prefix, 'team', 'team-4'))).toEqual([{ type: 'member', subject: 'subject-4' }]);
    const ttl = await redis.ttl(liveStreamKey(prefix, 'user', 'user-7'));
    expect(ttl).toBeGreaterThan(LIVE_STREAM_TTL_SECONDS - 60);
    expect(await redis.ttl(liveStreamKey(prefix, 'team', 'team-even'))).toBeGreaterThan(LIVE_STREAM_TTL_SECONDS - 60);
  });

  it("the gateway's batched path (appendTo on its own pipeline) writes the same entries", async () => {
    const batch = redis.pipeline();
    publisher.appendTo(batch, { userId: 'user-batched', subject: 'subject-batched', teamIds: ['team-batched'] }, event(99));
    await batch.exec();
    expect(await entries(liveStreamKey(prefix, 'user', 'user-batched'))).toEqual([event(99)]);
    expect(await entries(liveStreamKey(prefix, 'team', 'team-batched'))).toEqual([{ type: 'member', subject: 'subject-batched' }]);
  });
});
