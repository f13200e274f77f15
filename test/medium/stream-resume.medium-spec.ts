import { liveStreamKey } from '@statusync/queue';
import { MAX_REPLAY, resumeAfter } from '../../apps/api-gateway/src/live/stream-resume';
import { livePublisherWorld } from './support/live-publisher-world';

/**
 * Middle tier (real Redis): live streams keep one resume window of events, and a client resuming from an event
 * the stream no longer holds is told to resync rather than handed a replay with a hole in it.
 */
describe('live streams: the resume window and resuming', () => {
  // A window other than the default hour: the setting, not a constant, decides what is trimmed.
  const { prefix, publisher, redis, config } = livePublisherWorld('stream-resume', { LIVE_RESUME_WINDOW_SECONDS: '600' });
  const LIVE_RESUME_WINDOW_MS = config.live.resumeWindowMs;
  const audience = (userId: string) => ({ userId, subject: `subject-${userId}`, teamIds: [] });
  const event = { type: 'reading', platform: 'slack' } as const;
  /** An entry written at `agoMs` in the past (its id is its time), as an earlier publish would have left it. */
  const oldEntry = async (key: string, agoMs: number, seq = 0) => (await redis.xadd(key, `${Date.now() - agoMs}-${seq}`, 'event', JSON.stringify(event)))!;
  const ids = async (key: string) => (await redis.xrange(key, '-', '+')).map(([id]) => id);

  it('a publish drops the entries older than the window, exactly, and keeps the rest; the idle TTL is the window', async () => {
    expect(LIVE_RESUME_WINDOW_MS).toBe(600_000);
    const key = liveStreamKey(prefix, 'user', 'trimmed');
    const old = [await oldEntry(key, LIVE_RESUME_WINDOW_MS + 60_000), await oldEntry(key, LIVE_RESUME_WINDOW_MS + 1_000)];
    const recent = await oldEntry(key, LIVE_RESUME_WINDOW_MS - 60_000);
    await publisher.publish(audience('trimmed'), event);
    const left = await ids(key);
    expect(left).toHaveLength(2);
    expect(left[0]).toBe(recent);
    expect(left).not.toContain(old[0]);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(LIVE_RESUME_WINDOW_MS / 1000 - 60);
    expect(ttl).toBeLessThanOrEqual(LIVE_RESUME_WINDOW_MS / 1000);
  });

  it("the gateway's batched path trims the same way", async () => {
    const key = liveStreamKey(prefix, 'user', 'batched');
    await oldEntry(key, LIVE_RESUME_WINDOW_MS + 5_000);
    const batch = redis.pipeline();
    publisher.appendTo(batch, audience('batched'), event);
    await batch.exec();
    expect(await redis.xlen(key)).toBe(1);
  });

  it('resuming within the stream replays exactly what came after the id', async () => {
    const key = liveStreamKey(prefix, 'user', 'resume');
    const [a, b, c] = [await oldEntry(key, 3_000), await oldEntry(key, 2_000), await oldEntry(key, 1_000)];
    expect(await resumeAfter(redis, key, a)).toEqual({ kind: 'replay', entries: [[b, expect.any(Array)], [c, expect.any(Array)]] });
    expect(await resumeAfter(redis, key, c)).toEqual({ kind: 'replay', entries: [] });
  });

  it('resuming from an id the trim passed, from a stream that expired, or from too far behind answers resync', async () => {
    const key = liveStreamKey(prefix, 'user', 'gap');
    const lost = await oldEntry(key, LIVE_RESUME_WINDOW_MS + 10_000);
    const trimmedToo = await oldEntry(key, LIVE_RESUME_WINDOW_MS + 5_000);
    await publisher.publish(audience('gap'), event);
    expect(await resumeAfter(redis, key, lost)).toEqual({ kind: 'resync' });
    // The client had the last entry trimmed: nothing it had not seen is gone, but that is not knowable; resync.
    expect(await resumeAfter(redis, key, trimmedToo)).toEqual({ kind: 'resync' });
    const [kept] = await ids(key);
    expect(await resumeAfter(redis, key, kept)).toEqual({ kind: 'replay', entries: [] });

    expect(await resumeAfter(redis, liveStreamKey(prefix, 'user', 'expired'), lost)).toEqual({ kind: 'resync' });
    // Expired and begun again since (nothing trimmed in this one): what came after the id went with the old stream.
    const reborn = liveStreamKey(prefix, 'user', 'reborn');
    await publisher.publish(audience('reborn'), event);
    expect(await resumeAfter(redis, reborn, lost)).toEqual({ kind: 'resync' });

    const busy = liveStreamKey(prefix, 'team', 'busy');
    const start = Date.now() - 60_000;
    const batch = redis.pipeline();
    for (let i = 0; i <= MAX_REPLAY; i++) batch.xadd(busy, `${start}-${i + 1}`, 'event', '{}');
    await batch.exec();
    expect(await resumeAfter(redis, busy, `${start}-0`)).toEqual({ kind: 'resync' });
    expect(await resumeAfter(redis, busy, `${start}-1`)).toMatchObject({ kind: 'replay' });
  });
});
