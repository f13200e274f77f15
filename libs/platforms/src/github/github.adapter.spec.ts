import { freePort } from '../../../../test/support/free-port';
import { GithubFake } from '../../../../test/fakes/github-fake';
import { platformFailure } from '../../../../test/support/platform-failure';
import { StatusToApply } from '../platform-adapter';
import { PlatformAuthError, PlatformError, PlatformInputError, PlatformRateLimitError, PlatformUnavailableError } from '../platform-errors';
import { GithubAdapter } from './github.adapter';

const TOKEN = 'ghp_alice';
const NO_SCOPE_TOKEN = 'ghp_noscope';
// Whole seconds: GitHub (and the fake) store DateTime without milliseconds.
const EXPIRES = new Date(Date.UTC(2099, 0, 2, 10, 30, 0));
const FULL: StatusToApply = { emoji: ':calendar:', message: 'In a meeting', limitedAvailability: true, expiresAt: EXPIRES };

const failure = <E extends PlatformError>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E) =>
  platformFailure(promise, type, 'github');

/** A port nothing listens on: bound, then released. */
const closedPort = freePort;

describe('GithubAdapter against the GitHub fake', () => {
  let fake: GithubFake;
  let adapter: GithubAdapter;

  beforeAll(async () => {
    fake = await GithubFake.start();
    adapter = new GithubAdapter({ graphqlUrl: fake.graphqlUrl, timeoutMs: 2_000 });
  });
  afterAll(() => fake.close());

  beforeEach(() => {
    fake.reset();
    fake.clearTokens();
    fake.addToken(TOKEN, { login: 'alice' });
    fake.addToken(NO_SCOPE_TOKEN, { login: 'bob', scopes: ['repo', 'read:user'] });
  });

  // Every document the adapter sent must have been valid against GitHub's published schema.
  afterEach(() => {
    for (const { query, validationErrors } of fake.requests) expect({ query, validationErrors }).toEqual({ query, validationErrors: [] });
  });

  describe('verify', () => {
    it('returns the login as account name and an account id', async () => {
      await expect(adapter.verify(TOKEN)).resolves.toEqual({ accountName: 'alice', accountId: expect.any(String) });
      // The fake serves no databaseId (null), so the id falls back to the login.
      await expect(adapter.verify(TOKEN)).resolves.toEqual({ accountName: 'alice', accountId: 'alice' });
      expect(fake.requests).toHaveLength(2);
      expect(fake.requests[0]).toMatchObject({ token: TOKEN, operationType: 'query', query: expect.stringContaining('query Viewer'), responseStatus: 200 });
    });

    it('refuses an unknown or revoked token with bad_credentials', async () => {
      const unknown = await failure(adapter.verify('ghp_nobody'), PlatformAuthError);
      expect(unknown.code).toBe('bad_credentials');
      expect(unknown.permanent).toBe(true);

      fake.revokeToken(TOKEN);
      expect((await failure(adapter.verify(TOKEN), PlatformAuthError)).code).toBe('bad_credentials');
    });
  });

  describe('setStatus / clearStatus', () => {
    it('sends exactly emoji, message, limitedAvailability and an ISO expiresAt, and GitHub stores them', async () => {
      await adapter.setStatus(TOKEN, FULL);

      const [mutation] = fake.mutations('alice');
      expect(fake.mutations('alice')).toHaveLength(1);
      expect(mutation).toMatchObject({ token: TOKEN, operationType: 'mutation', query: expect.stringContaining('mutation ChangeUserStatus') });
      expect(mutation.variables).toEqual({
        input: { emoji: ':calendar:', message: 'In a meeting', limitedAvailability: true, expiresAt: '2099-01-02T10:30:00.000Z' },
      });
      expect(fake.statusOf('alice')).toMatchObject({
        emoji: ':calendar:',
        message: 'In a meeting',
        indicatesLimitedAvailability: true,
        expiresAt: '2099-01-02T10:30:00Z',
      });
    });

    it('one adapter (one client) serves many users at once: each mutation goes out with its own token', async () => {
      const others = Array.from({ length: 6 }, (_, i) => ({ login: `user${i}`, token: `ghp_user${i}` }));
      for (const { login, token } of others) fake.addToken(token, { login });

      await Promise.all(others.map(({ token }, i) => adapter.setStatus(token, { ...FULL, message: `status ${i}` })));

      others.forEach(({ login, token }, i) => {
        expect(fake.mutations(login)).toEqual([expect.objectContaining({ token, variables: { input: expect.objectContaining({ message: `status ${i}` }) } })]);
      });
      expect(fake.mutations('alice')).toHaveLength(0);
    });

    it("goes through the platform fetch (node:http, keep-alive), not Node's built-in fetch", async () => {
      // Spied before the adapter is made: a client keeps the fetch it was given (or found) when it was built.
      const builtIn = jest.spyOn(globalThis, 'fetch');
      try {
        const fresh = new GithubAdapter({ graphqlUrl: fake.graphqlUrl, timeoutMs: 2_000 });
        await fresh.setStatus(TOKEN, FULL);
        await fresh.readStatus(TOKEN);
        expect(builtIn).not.toHaveBeenCalled();
      } finally {
        builtIn.mockRestore();
      }
    });

    it('omits null fields instead of sending nulls', async () => {
      await adapter.setStatus(TOKEN, { emoji: null, message: 'Heads down', limitedAvailability: false, expiresAt: null });
      expect(fake.mutations('alice')[0].variables).toEqual({ input: { message: 'Heads down', limitedAvailability: false } });
      expect(fake.statusOf('alice')).toMatchObject({ emoji: null, message: 'Heads down', indicatesLimitedAvailability: false, expiresAt: null });

      await adapter.setStatus(TOKEN, { emoji: ':coffee:', message: null, limitedAvailability: true, expiresAt: null });
      expect(fake.mutations('alice')[1].variables).toEqual({ input: { emoji: ':coffee:', limitedAvailability: true } });
      expect(fake.statusOf('alice')).toMatchObject({ emoji: ':coffee:', message: null, indicatesLimitedAvailability: true });
    });

    it("sends GitHub's name for a Unicode emoji or Slack's name, and Unicode for a skin tone", async () => {
      for (const emoji of ['🍕', ':spiral_calendar_pad:', ':wave::skin-tone-3:']) await adapter.setStatus(TOKEN, { ...FULL, emoji });
      expect(fake.mutations('alice').map((m) => (m.variables as { input: { emoji: string } }).input.emoji)).toEqual([':pizza:', ':spiral_calendar:', '👋🏼']);
    });

    it('clears with an empty input and the status is gone', async () => {
      fake.setStatus('alice', { emoji: ':palm_tree:', message: 'Away', limitedAvailability: true });

      await adapter.clearStatus(TOKEN);

      expect(fake.mutations('alice')).toHaveLength(1);
      expect(fake.mutations('alice')[0].variables).toEqual({ input: {} });
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('refuses a message over 80 characters as permanent input error and stores nothing', async () => {
      const error = await failure(adapter.setStatus(TOKEN, { ...FULL, message: 'x'.repeat(81) }), PlatformInputError);
      expect(error.permanent).toBe(true);
      expect(error.message).toMatch(/too long/i);
      expect(fake.statusOf('alice')).toBeNull();

      await adapter.setStatus(TOKEN, { ...FULL, message: 'x'.repeat(80) });
      expect(fake.statusOf('alice')?.message).toHaveLength(80);
    });

    it('maps a token without the user scope to INSUFFICIENT_SCOPES', async () => {
      await expect(adapter.verify(NO_SCOPE_TOKEN)).resolves.toMatchObject({ accountName: 'bob' }); // reads need no scope

      const error = await failure(adapter.setStatus(NO_SCOPE_TOKEN, FULL), PlatformAuthError);
      expect(error.code).toBe('INSUFFICIENT_SCOPES');
      expect(error.permanent).toBe(true);
      expect(fake.statusOf('bob')).toBeNull();
    });
  });

  describe('rate limits', () => {
    it('primary limit (RATE_LIMITED): waits until the reset time GitHub announced', async () => {
      fake.failNext('rate_limited', 1, { resetInSeconds: 30 });
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformRateLimitError);
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.permanent).toBe(false);
      // x-ratelimit-reset is in whole seconds, so up to one second later than now + 30 s.
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(28_500);
      expect(error.retryAfterMs).toBeLessThanOrEqual(31_000);
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('secondary limit as HTTP 403 with retry-after: waits exactly that long', async () => {
      fake.failNext('secondary_403', 1, { retryAfterSeconds: 7 });
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformRateLimitError);
      expect(error.retryAfterMs).toBe(7_000);
      expect(error.code).toBe('http_403');
      expect(error.permanent).toBe(false);
    });

    it('secondary limit as HTTP 200 with errors: a rate limit too, not an input error', async () => {
      fake.failNext('secondary_200', 1, { retryAfterSeconds: 4 });
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformRateLimitError);
      expect(error.retryAfterMs).toBe(4_000);
      expect(error.message).toMatch(/secondary rate limit/);
    });
  });

  describe('unavailability', () => {
    it('HTTP 502 → transient http_502', async () => {
      fake.failNext('bad_gateway');
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformUnavailableError);
      expect(error.code).toBe('http_502');
      expect(error.permanent).toBe(false);
    });

    it('"Something went wrong while executing your query" (200 with null data) → transient, retried later', async () => {
      fake.failNext('partial');
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformUnavailableError);
      expect(error.permanent).toBe(false);
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('a request that never answers → timeout after timeoutMs', async () => {
      const quick = new GithubAdapter({ graphqlUrl: fake.graphqlUrl, timeoutMs: 300 });
      fake.failNext('hang');
      const started = Date.now();
      const error = await failure(quick.verify(TOKEN), PlatformUnavailableError);
      const elapsed = Date.now() - started;
      expect(error.code).toBe('timeout');
      expect(error.permanent).toBe(false);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(1_000);
    });

    it('connection refused → transient network error', async () => {
      const nowhere = new GithubAdapter({ graphqlUrl: `http://127.0.0.1:${await closedPort()}/graphql`, timeoutMs: 2_000 });
      const error = await failure(nowhere.verify(TOKEN), PlatformUnavailableError);
      expect(error.code).toBe('network_error');
      expect(error.permanent).toBe(false);
    });
  });
});
