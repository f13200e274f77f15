import Redis from 'ioredis';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { OAUTH_STATE_TTL_MS, OAuthStateError, oauthStateKey, OAuthStateService } from './oauth-state.service';

/** Against the machine's Redis (as the e2e tests), under a prefix of this run that is removed afterwards. */
describe('OAuthStateService (real Redis)', () => {
  const prefix = `unit-oauth-state-${process.pid}-${randomBytes(3).toString('hex')}`;
  const encryptionKey = randomBytes(32);
  let redis: Redis;
  let now = Date.now();
  let states: OAuthStateService;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    states = new OAuthStateService(redis.duplicate(), { prefix, signingKey: oauthStateKey(encryptionKey), ttlMs: OAUTH_STATE_TTL_MS, now: () => now });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    states.onApplicationShutdown();
    redis.disconnect();
  });
  beforeEach(() => {
    now = Date.now();
  });

  const problemOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(OAuthStateError);
    return (error as OAuthStateError).problem;
  };

  it('issues a signed state with a PKCE challenge, stores who it is for with a 10-minute TTL, and gives it back once', async () => {
    const issued = await states.issue('user-1', 'github');
    expect(issued.state).toMatch(/^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/);
    expect(issued.expiresAt).toEqual(new Date(now + OAUTH_STATE_TTL_MS));
    const [id] = issued.state.split('.');
    const ttl = await redis.pttl(`${prefix}:oauth-state:${id}`);
    expect(ttl).toBeGreaterThan(OAUTH_STATE_TTL_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(OAUTH_STATE_TTL_MS);

    const record = await states.consume('github', issued.state);
    expect(record).toEqual({ userId: 'user-1', platform: 'github', codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), createdAt: now });
    expect(createHash('sha256').update(record.codeVerifier).digest('base64url')).toBe(issued.codeChallenge);
    expect(await redis.exists(`${prefix}:oauth-state:${id}`)).toBe(0);

    expect(await problemOf(states.consume('github', issued.state))).toBe('expired_or_used');
  });

  it('refuses a forged signature, a malformed state and a state of another platform without using it up', async () => {
    const issued = await states.issue('user-1', 'github');
    const [id, signature] = issued.state.split('.');
    const flipped = `${id}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    expect(await problemOf(states.consume('github', flipped))).toBe('bad_signature');
    // Signed with another key (e.g. by an attacker who guessed the format): same answer.
    const otherKey = createHmac('sha256', randomBytes(32)).update(`v1.github.${id}`).digest('base64url');
    expect(await problemOf(states.consume('github', `${id}.${otherKey}`))).toBe('bad_signature');
    expect(await problemOf(states.consume('slack', issued.state))).toBe('bad_signature');
    expect(await problemOf(states.consume('github', 'not-a-state'))).toBe('malformed');
    expect(await problemOf(states.consume('github', ''))).toBe('malformed');
    // None of those touched the real one.
    expect((await states.consume('github', issued.state)).userId).toBe('user-1');
  });

  it('refuses a state whose key expired in Redis, and one older than the TTL even if Redis kept it', async () => {
    const expired = await states.issue('user-2', 'slack');
    await redis.pexpire(`${prefix}:oauth-state:${expired.state.split('.')[0]}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await problemOf(states.consume('slack', expired.state))).toBe('expired_or_used');

    const kept = await states.issue('user-2', 'slack');
    await redis.persist(`${prefix}:oauth-state:${kept.state.split('.')[0]}`);
    now += OAUTH_STATE_TTL_MS;
    expect(await problemOf(states.consume('slack', kept.state))).toBe('expired_or_used');
  });

  it('lets exactly one of five concurrent callbacks with the same state through', async () => {
    const issued = await states.issue('user-3', 'github');
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => states.consume('github', issued.state)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('derives a signing key of its own from the encryption key', () => {
    const key = oauthStateKey(encryptionKey);
    expect(key).toHaveLength(32);
    expect(key.equals(encryptionKey)).toBe(false);
    expect(oauthStateKey(encryptionKey).equals(key)).toBe(true);
    expect(oauthStateKey(randomBytes(32)).equals(key)).toBe(false);
  });
});
