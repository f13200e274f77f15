import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RoundTripProxy } from '../support/round-trip-proxy';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';

const UPDATE = '/api/v1/status/update';

/**
 * Issue 10: an accepted update costs ONE Postgres round trip (scope, key check, platforms, record, live audience
 * in one statement) and TWO Redis round trips (the rate-limit check; every platform's job plus the live event in
 * one pipeline). The gateway runs in its own process behind counting proxies, so any added round trip fails here.
 */
describe('gateway round trips per accepted update', () => {
  let stack: TestStack;
  let postgres: RoundTripProxy;
  let redisProxy: RoundTripProxy;
  let redis: Redis;
  let alice: TestUser;

  beforeAll(async () => {
    const pg = new URL(E2E.databaseUrl);
    const rd = new URL(E2E.redisUrl);
    postgres = await RoundTripProxy.start(pg.hostname, Number(pg.port || 5432));
    redisProxy = await RoundTripProxy.start(rd.hostname, Number(rd.port || 6379));
    pg.port = String(postgres.port);
    rd.port = String(redisProxy.port);
    // No worker: the jobs stay queued, and only the gateway's own connections pass the proxies.
    stack = await startStack('round-trips', { services: ['api-gateway'], env: { DATABASE_URL: pg.toString(), REDIS_URL: rd.toString() } });
    redis = new Redis(E2E.redisUrl);
    alice = await newUser(stack);
    // Warm up: pool connections opened, scripts loaded, the user id cached from the token.
    expect((await stack.api.post(UPDATE, alice.jwt, { emoji: ':zap:', message: 'warm-up' })).status).toBe(202);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    redis?.disconnect();
    await Promise.all([postgres?.close(), redisProxy?.close()]);
  });

  /** The round trips one request costs, on each engine. */
  async function costOf(request: () => Promise<{ status: number; body: { id?: string } }>) {
    const [pgBefore, redisBefore] = [postgres.count, redisProxy.count];
    const answer = await request();
    return { answer, postgres: postgres.count - pgBefore, redis: redisProxy.count - redisBefore };
  }

  const jobExists = (id: string, platform: string) => redis.exists(`${stack.queuePrefix}:status-sync-${platform}:${id}.${platform}`);

  it('an update to two platforms: 1 Postgres and 2 Redis round trips, and both jobs are queued', async () => {
    const cost = await costOf(() => stack.api.post(UPDATE, alice.jwt, { emoji: ':coffee:', message: 'Coffee' }));
    expect(cost.answer.status).toBe(202);
    expect({ postgres: cost.postgres, redis: cost.redis }).toEqual({ postgres: 1, redis: 2 });
    expect(await jobExists(cost.answer.body.id!, 'github')).toBe(1);
    expect(await jobExists(cost.answer.body.id!, 'slack')).toBe(1);
  });

  it('an Idempotency-Key adds no round trip, and its replay costs 1 + 1 (nothing enqueued again)', async () => {
    const key = `idem-${randomBytes(8).toString('hex')}`;
    const send = () => stack.api.post(UPDATE, alice.jwt, { emoji: ':key:', message: 'Keyed' }, { 'idempotency-key': key });
    const first = await costOf(send);
    expect(first.answer.status).toBe(202);
    expect({ postgres: first.postgres, redis: first.redis }).toEqual({ postgres: 1, redis: 2 });
    const replay = await costOf(send);
    expect(replay.answer.body.id).toBe(first.answer.body.id);
    expect({ postgres: replay.postgres, redis: replay.redis }).toEqual({ postgres: 1, redis: 1 });
  });

  it('a refused update (platform not configured) costs 1 Postgres round trip and changes nothing', async () => {
    const bob = await newUser(stack, ['github']);
    const cost = await costOf(() => stack.api.post(UPDATE, bob.jwt, { emoji: ':x:', platforms: ['slack'] }));
    expect(cost.answer.status).toBe(422);
    expect(cost.postgres).toBe(1);
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM status_updates u JOIN users s ON s.id = u.user_id WHERE s.subject = $1`, [bob.subject]);
    expect(rows[0].n).toBe(0);
  });
});
