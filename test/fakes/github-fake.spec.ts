import { graphql, GraphqlResponseError } from '@octokit/graphql';
import { GithubFake } from './github-fake';

const SET_STATUS = `
  mutation setStatus($input: ChangeUserStatusInput!) {
    changeUserStatus(input: $input) {
      clientMutationId
      status { emoji message indicatesLimitedAvailability expiresAt createdAt updatedAt id }
    }
  }`;
const READ_VIEWER = `query { viewer { login status { emoji message indicatesLimitedAvailability expiresAt } } }`;

/** Octokit's RequestError (HTTP >= 400), without importing the transitive package. */
interface HttpError extends Error {
  status: number;
  response?: { headers: Record<string, string>; data: unknown };
}

async function rejection<T = unknown>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (err) {
    return err as T;
  }
  throw new Error('expected the call to fail');
}

describe('GithubFake', () => {
  let fake: GithubFake;
  let gql: typeof graphql;

  beforeAll(async () => {
    fake = await GithubFake.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.clearTokens();
    fake.addToken('ghp_alice', { login: 'alice' });
    gql = graphql.defaults({ baseUrl: fake.url, headers: { authorization: 'token ghp_alice' } });
  });

  describe('changeUserStatus and reads', () => {
    it('stores a valid status, echoes it, and reads it back through viewer and user(login:)', async () => {
      const result = await gql<{ changeUserStatus: { clientMutationId: string; status: Record<string, unknown> } }>(SET_STATUS, {
        input: { clientMutationId: 'm1', emoji: ':calendar:', message: 'In a meeting', limitedAvailability: true, expiresAt: '2099-01-01T10:00:00Z' },
      });
      expect(result.changeUserStatus.clientMutationId).toBe('m1');
      expect(result.changeUserStatus.status).toMatchObject({
        emoji: ':calendar:',
        message: 'In a meeting',
        indicatesLimitedAvailability: true,
        expiresAt: '2099-01-01T10:00:00Z',
      });
      expect(result.changeUserStatus.status.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(fake.statusOf('alice')).toMatchObject({ emoji: ':calendar:', message: 'In a meeting', indicatesLimitedAvailability: true });
      expect(fake.mutations('alice')).toHaveLength(1);
      expect(fake.mutations('bob')).toHaveLength(0);
      expect(fake.mutations()[0].variables).toEqual({ input: expect.objectContaining({ message: 'In a meeting' }) });

      const viewer = await gql<{ viewer: { login: string; status: Record<string, unknown> } }>(READ_VIEWER);
      expect(viewer.viewer).toEqual({
        login: 'alice',
        status: { emoji: ':calendar:', message: 'In a meeting', indicatesLimitedAvailability: true, expiresAt: '2099-01-01T10:00:00Z' },
      });
      const user = await gql<{ someone: { status: unknown } }>(`query($login: String!) { someone: user(login: $login) { status { msg: message } } }`, {
        login: 'ALICE',
      });
      expect(user).toEqual({ someone: { status: { msg: 'In a meeting' } } });
    });

    it('returns only the requested fields', async () => {
      const result = await gql<Record<string, unknown>>(`mutation { changeUserStatus(input: { message: "hi" }) { status { message } } }`);
      expect(result).toEqual({ changeUserStatus: { status: { message: 'hi' } } });
    });

    it('clears with empty input or empty strings and returns status: null', async () => {
      await gql(SET_STATUS, { input: { emoji: ':coffee:', message: 'Coffee' } });
      const cleared = await gql<{ changeUserStatus: { status: unknown } }>(SET_STATUS, { input: {} });
      expect(cleared.changeUserStatus.status).toBeNull();
      expect(fake.statusOf('alice')).toBeNull();

      await gql(SET_STATUS, { input: { emoji: ':coffee:', message: 'Coffee' } });
      const again = await gql<{ changeUserStatus: { status: unknown } }>(SET_STATUS, { input: { emoji: '', message: null } });
      expect(again.changeUserStatus.status).toBeNull();
      expect(await gql(READ_VIEWER)).toEqual({ viewer: { login: 'alice', status: null } });
      expect(fake.mutations('alice')).toHaveLength(4);
    });

    it('hides a status whose expiresAt has passed', async () => {
      await gql(SET_STATUS, { input: { message: 'Gone', expiresAt: '2001-01-01T00:00:00Z' } });
      expect(fake.statusOf('alice')).toBeNull();
      expect(await gql(READ_VIEWER)).toEqual({ viewer: { login: 'alice', status: null } });
    });

    it('applies expiry against an injectable clock', async () => {
      let now = Date.parse('2030-01-01T09:00:00Z');
      const clocked = await GithubFake.start({ now: () => now });
      try {
        clocked.addToken('ghp_c', { login: 'carol' });
        const client = graphql.defaults({ baseUrl: clocked.url, headers: { authorization: 'bearer ghp_c' } });
        await client(SET_STATUS, { input: { message: 'Lunch', expiresAt: '2030-01-01T10:00:00Z' } });
        expect(clocked.statusOf('carol')?.message).toBe('Lunch');
        now = Date.parse('2030-01-01T10:00:01Z');
        expect(clocked.statusOf('carol')).toBeNull();
      } finally {
        await clocked.close();
      }
    });

    it('rejects an over-long message with an UNPROCESSABLE error and stores nothing', async () => {
      const err = await rejection<GraphqlResponseError<unknown>>(gql(SET_STATUS, { input: { message: 'x'.repeat(81) } }));
      expect(err).toBeInstanceOf(GraphqlResponseError);
      expect(err.errors?.[0]).toMatchObject({ type: 'UNPROCESSABLE', path: ['changeUserStatus'] });
      expect(err.data).toEqual({ changeUserStatus: null });
      expect(fake.statusOf('alice')).toBeNull();
      expect(fake.mutations()).toHaveLength(0);
      await gql(SET_STATUS, { input: { message: 'x'.repeat(80) } });
      expect(fake.statusOf('alice')?.message).toHaveLength(80);
    });

    it('answers rateLimit and serves unimplemented-but-valid fields as null', async () => {
      const result = await gql<{ rateLimit: Record<string, unknown>; viewer: Record<string, unknown> }>(
        `{ rateLimit { limit remaining used resetAt cost } viewer { name bio: status { emojiHTML } } }`,
      );
      expect(result.rateLimit).toMatchObject({ limit: 5000, remaining: 4999, used: 1, cost: 1 });
      expect(result.viewer).toEqual({ name: null, bio: null });
    });

    it('answers NOT_FOUND for an unknown user', async () => {
      const err = await rejection<GraphqlResponseError<unknown>>(gql(`{ user(login: "nobody") { login } }`));
      expect(err.errors?.[0]).toMatchObject({ type: 'NOT_FOUND', path: ['user'] });
      expect(err.data).toEqual({ user: null });
    });
  });

  describe('schema validation', () => {
    it('rejects an invented input field (busy)', async () => {
      const err = await rejection<GraphqlResponseError<unknown>>(gql(`mutation { changeUserStatus(input: { message: "x", busy: true }) { clientMutationId } }`));
      expect(err).toBeInstanceOf(GraphqlResponseError);
      expect(err.errors?.[0].message).toContain('"busy" is not defined by type "ChangeUserStatusInput"');
      expect(err.errors?.[0].locations?.[0]).toEqual({ line: 1, column: 52 });
      expect(fake.statusOf('alice')).toBeNull();
      expect(fake.requests[0].validationErrors).toHaveLength(1);
      expect(fake.mutations()).toHaveLength(0);
    });

    it('rejects the input flag name used as an output field (limitedAvailability on UserStatus)', async () => {
      const err = await rejection<GraphqlResponseError<unknown>>(
        gql(`mutation($input: ChangeUserStatusInput!) { changeUserStatus(input: $input) { status { limitedAvailability } } }`, { input: { message: 'x' } }),
      );
      expect(err.errors?.[0].message).toBe('Cannot query field "limitedAvailability" on type "UserStatus".');
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('validates variables: unknown input keys, bad DateTime, missing required variables', async () => {
      const busy = await rejection<GraphqlResponseError<unknown>>(gql(SET_STATUS, { input: { message: 'x', busy: true } }));
      expect(busy.errors?.[0].message).toContain('"busy"');
      const date = await rejection<GraphqlResponseError<unknown>>(gql(SET_STATUS, { input: { message: 'x', expiresAt: 'tomorrow' } }));
      expect(date.errors?.[0].message).toContain('DateTime');
      const missing = await rejection<GraphqlResponseError<unknown>>(gql(SET_STATUS));
      expect(missing.errors?.[0].message).toContain('"$input" of required type "ChangeUserStatusInput!" was not provided');
      expect(fake.requests.map((r) => r.validationErrors.length)).toEqual([1, 1, 1]);
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('answers syntax errors and non-JSON bodies', async () => {
      const syntax = await rejection<GraphqlResponseError<unknown>>(gql(`mutation { changeUserStatus(input: {}) {`));
      expect(syntax.errors?.[0].message).toMatch(/^Syntax Error/);
      const notJson = await fetch(fake.graphqlUrl, { method: 'POST', headers: { authorization: 'token ghp_alice' }, body: 'query=1' });
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toEqual(expect.objectContaining({ message: 'Problems parsing JSON' }));
      const noQuery = await fetch(fake.graphqlUrl, { method: 'POST', headers: { authorization: 'token ghp_alice' }, body: '{"variables":{}}' });
      expect(noQuery.status).toBe(400);
      const get = await fetch(fake.graphqlUrl, { headers: { authorization: 'token ghp_alice' } });
      expect(get.status).toBe(404);
    });
  });

  describe('authentication and scopes', () => {
    it('answers 401 Bad credentials for an unknown or revoked token', async () => {
      const unknown = await rejection<HttpError>(graphql.defaults({ baseUrl: fake.url, headers: { authorization: 'token ghp_nobody' } })(READ_VIEWER));
      expect(unknown.status).toBe(401);
      expect(unknown.message).toContain('Bad credentials');
      expect(unknown.response?.headers['x-ratelimit-resource']).toBe('graphql');

      fake.revokeToken('ghp_alice');
      const revoked = await rejection<HttpError>(gql(READ_VIEWER));
      expect(revoked.status).toBe(401);
      expect(revoked.response?.data).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' });
      expect(fake.requests.map((r) => r.responseStatus)).toEqual([401, 401]);
    });

    it('answers 401 without an Authorization header and accepts any case of the scheme', async () => {
      const none = await fetch(fake.graphqlUrl, { method: 'POST', body: JSON.stringify({ query: READ_VIEWER }) });
      expect(none.status).toBe(401);
      const upper = await fetch(fake.graphqlUrl, { method: 'POST', headers: { authorization: 'BEARER ghp_alice' }, body: JSON.stringify({ query: READ_VIEWER }) });
      expect(upper.status).toBe(200);
    });

    it("refuses changeUserStatus without the 'user' scope (INSUFFICIENT_SCOPES) but allows reads", async () => {
      fake.addToken('ghp_ro', { login: 'dora', scopes: ['read:user', 'repo'] });
      const client = graphql.defaults({ baseUrl: fake.url, headers: { authorization: 'token ghp_ro' } });
      const err = await rejection<GraphqlResponseError<unknown>>(client(SET_STATUS, { input: { message: 'x' } }));
      expect(err.errors?.[0]).toMatchObject({ type: 'INSUFFICIENT_SCOPES' });
      expect(err.errors?.[0].message).toContain("requires one of the following scopes: ['user']");
      expect(err.errors?.[0].message).toContain("granted the: ['read:user', 'repo'] scopes");
      expect(err.data).toBeUndefined();
      expect(fake.statusOf('dora')).toBeNull();
      await expect(client(READ_VIEWER)).resolves.toEqual({ viewer: { login: 'dora', status: null } });

      fake.addToken('ghp_none', { login: 'ed', scopes: [] });
      const none = await rejection<GraphqlResponseError<unknown>>(graphql.defaults({ baseUrl: fake.url, headers: { authorization: 'token ghp_none' } })(SET_STATUS, { input: { message: 'x' } }));
      expect(none.errors?.[0].message).toContain("granted the: [''] scopes");
    });

    it('accepts any ghp_/gho_/github_pat_ token when acceptAnyToken is set', async () => {
      const open = await GithubFake.start({ acceptAnyToken: true });
      try {
        const client = graphql.defaults({ baseUrl: open.url, headers: { authorization: 'token github_pat_zoe' } });
        await client(SET_STATUS, { input: { message: 'hello' } });
        expect(open.statusOf('zoe')?.message).toBe('hello');
        const bad = await rejection<HttpError>(graphql.defaults({ baseUrl: open.url, headers: { authorization: 'token xyz_zoe' } })(READ_VIEWER));
        expect(bad.status).toBe(401);
      } finally {
        await open.close();
      }
    });
  });

  describe('rate limits', () => {
    it('sends x-ratelimit-* on every answer; a query costs 1 and a mutation 5', async () => {
      const post = (query: string) =>
        fetch(fake.graphqlUrl, { method: 'POST', headers: { authorization: 'token ghp_alice', 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      const q = await post(READ_VIEWER);
      expect(q.headers.get('x-ratelimit-limit')).toBe('5000');
      expect(q.headers.get('x-ratelimit-remaining')).toBe('4999');
      expect(q.headers.get('x-ratelimit-used')).toBe('1');
      expect(q.headers.get('x-ratelimit-resource')).toBe('graphql');
      const reset = Number(q.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThan(Date.now() / 1000 + 3500);
      expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3600);
      const m = await post(`mutation { changeUserStatus(input: { message: "x" }) { clientMutationId } }`);
      expect(m.headers.get('x-ratelimit-remaining')).toBe('4994');
      expect(m.headers.get('x-ratelimit-used')).toBe('6');
      const invalid = await post(`{ viewer { nope } }`);
      expect(invalid.headers.get('x-ratelimit-remaining')).toBe('4994');
    });

    it('answers RATE_LIMITED once the hourly points are spent', async () => {
      const small = await GithubFake.start({ rateLimitPerHour: 6 });
      try {
        small.addToken('ghp_s', { login: 'sam' });
        const client = graphql.defaults({ baseUrl: small.url, headers: { authorization: 'token ghp_s' } });
        await client(SET_STATUS, { input: { message: 'one' } });
        const err = await rejection<GraphqlResponseError<unknown>>(client(SET_STATUS, { input: { message: 'two' } }));
        expect(err.errors?.[0]).toMatchObject({ type: 'RATE_LIMITED' });
        expect(err.headers['x-ratelimit-remaining']).toBe('1');
        expect(small.statusOf('sam')?.message).toBe('one');
        await expect(client(READ_VIEWER)).resolves.toBeDefined();
      } finally {
        await small.close();
      }
    });
  });

  describe('failure modes', () => {
    it('rate_limited: 200 with errors[type=RATE_LIMITED], remaining 0 and the reset time', async () => {
      fake.failNext('rate_limited', 1, { resetInSeconds: 30 });
      const err = await rejection<GraphqlResponseError<unknown>>(gql(SET_STATUS, { input: { message: 'x' } }));
      expect(err).toBeInstanceOf(GraphqlResponseError);
      expect(err.errors?.[0]).toEqual({ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' });
      expect(err.headers['x-ratelimit-remaining']).toBe('0');
      const reset = Number(err.headers['x-ratelimit-reset']);
      expect(Math.abs(reset - (Date.now() / 1000 + 30))).toBeLessThan(2);
      expect(fake.statusOf('alice')).toBeNull();
      expect(fake.requests[0].failure).toBe('rate_limited');
      await expect(gql(SET_STATUS, { input: { message: 'x' } })).resolves.toBeDefined();
    });

    it('secondary_403: HTTP 403 with retry-after', async () => {
      fake.failNext('secondary_403', 1, { retryAfterSeconds: 7 });
      const err = await rejection<HttpError>(gql(SET_STATUS, { input: { message: 'x' } }));
      expect(err.status).toBe(403);
      expect(err.message).toContain('secondary rate limit');
      expect(err.response?.headers['retry-after']).toBe('7');
      expect(err.response?.headers['x-ratelimit-remaining']).toBe('5000');
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('secondary_200: HTTP 200 errors with retry-after', async () => {
      fake.failNext('secondary_200');
      const err = await rejection<GraphqlResponseError<unknown>>(gql(SET_STATUS, { input: { message: 'x' } }));
      expect(err.errors?.[0].message).toContain('secondary rate limit');
      expect(err.headers['retry-after']).toBe('1');
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('bad_gateway: HTTP 502', async () => {
      fake.failNext('bad_gateway');
      const err = await rejection<HttpError>(gql(SET_STATUS, { input: { message: 'x' } }));
      expect(err.status).toBe(502);
      expect(fake.statusOf('alice')).toBeNull();
    });

    it('partial: 200 with null data for each top-level field plus errors; nothing stored', async () => {
      fake.failNext('partial');
      const err = await rejection<GraphqlResponseError<unknown>>(gql(SET_STATUS, { input: { message: 'x' } }));
      expect(err.data).toEqual({ changeUserStatus: null });
      expect(err.errors?.[0]).toMatchObject({ path: ['changeUserStatus'] });
      expect(fake.statusOf('alice')).toBeNull();
      expect(fake.mutations()).toHaveLength(0);
    });

    it('hang: never answers; the client times out, reset() and close() drop the connection', async () => {
      fake.failNext('hang', 2);
      const timedOut = await rejection<HttpError>(gql(READ_VIEWER, { request: { signal: AbortSignal.timeout(150) } }));
      expect(timedOut.status).toBe(500); // octokit's wrapper for an aborted fetch
      expect(fake.requests[0]).toMatchObject({ failure: 'hang', responseStatus: null });

      const pending = rejection<HttpError>(gql(READ_VIEWER));
      await waitFor(() => fake.requests.length === 2);
      fake.reset();
      const dropped = await pending;
      expect(dropped.status).toBe(500); // octokit's wrapper for a network error
      expect(fake.requests).toHaveLength(0);
      await expect(gql(READ_VIEWER)).resolves.toBeDefined();

      const other = await GithubFake.start();
      other.addToken('t', { login: 'x' });
      other.failNext('hang');
      const hung = rejection(fetch(other.graphqlUrl, { method: 'POST', headers: { authorization: 'token t' }, body: JSON.stringify({ query: READ_VIEWER }) }));
      await waitFor(() => other.requests.length === 1);
      const started = Date.now();
      await other.close();
      expect(Date.now() - started).toBeLessThan(500);
      expect((await hung) as Error).toHaveProperty('message', 'fetch failed');
    });

    it('consumes queued failures in order, one per authenticated request', async () => {
      fake.failNext('secondary_403');
      fake.failNext('bad_gateway', 2);
      const unauthenticated = await rejection<HttpError>(graphql.defaults({ baseUrl: fake.url, headers: { authorization: 'token nope' } })(READ_VIEWER));
      expect(unauthenticated.status).toBe(401);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await rejection<HttpError>(gql(READ_VIEWER))).status);
      expect(statuses).toEqual([403, 502, 502]);
      await expect(gql(READ_VIEWER)).resolves.toBeDefined();
    });

    it('delays answers by the configured latency', async () => {
      fake.setLatency(120);
      const started = Date.now();
      await gql(READ_VIEWER);
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      fake.reset();
      const again = Date.now();
      await gql(READ_VIEWER);
      expect(Date.now() - again).toBeLessThan(100);
    });
  });

  describe('emoji allow-list', () => {
    it('silently drops unknown emoji by default, or refuses them', async () => {
      const dropping = await GithubFake.start({ emoji: [':coffee:'] });
      const refusing = await GithubFake.start({ emoji: [':coffee:'], unknownEmoji: 'error' });
      try {
        dropping.addToken('t', { login: 'amy' });
        refusing.addToken('t', { login: 'amy' });
        const drop = graphql.defaults({ baseUrl: dropping.url, headers: { authorization: 'token t' } });
        const refuse = graphql.defaults({ baseUrl: refusing.url, headers: { authorization: 'token t' } });
        const dropped = await drop<{ changeUserStatus: { status: { emoji: string | null } } }>(SET_STATUS, { input: { emoji: ':unicorn:', message: 'x' } });
        expect(dropped.changeUserStatus.status.emoji).toBeNull();
        const kept = await drop<{ changeUserStatus: { status: { emoji: string | null } } }>(SET_STATUS, { input: { emoji: ':coffee:', message: 'x' } });
        expect(kept.changeUserStatus.status.emoji).toBe(':coffee:');
        const err = await rejection<GraphqlResponseError<unknown>>(refuse(SET_STATUS, { input: { emoji: ':unicorn:', message: 'x' } }));
        expect(err.errors?.[0]).toMatchObject({ type: 'UNPROCESSABLE' });
        expect(refusing.statusOf('amy')).toBeNull();
      } finally {
        await Promise.all([dropping.close(), refusing.close()]);
      }
    });
  });

  describe('HTTP control routes', () => {
    it('adds tokens, queues failures, sets statuses and reports state over HTTP', async () => {
      const control = (path: string, body?: unknown) =>
        fetch(`${fake.url}/_fake/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
      expect((await control('tokens', { token: 'ghp_http', login: 'hal', scopes: ['user'] })).status).toBe(200);
      expect((await control('fail', { mode: 'secondary_403', count: 1, retryAfterSeconds: 3 })).status).toBe(200);
      expect((await control('fail', { mode: 'meltdown' })).status).toBe(400);
      const client = graphql.defaults({ baseUrl: fake.url, headers: { authorization: 'token ghp_http' } });
      expect((await rejection<HttpError>(client(READ_VIEWER))).response?.headers['retry-after']).toBe('3');
      await control('status', { login: 'hal', message: 'seeded', emoji: ':zap:' });
      await expect(client(READ_VIEWER)).resolves.toEqual({ viewer: { login: 'hal', status: { emoji: ':zap:', message: 'seeded', indicatesLimitedAvailability: false, expiresAt: null } } });
      const state = await control('state');
      expect(state.json.statuses).toEqual([expect.objectContaining({ login: 'hal', message: 'seeded' })]);
      expect((await control('requests')).json).toHaveLength(2);
      await control('latency', { ms: 0 });
      await control('reset', {});
      expect(fake.requests).toHaveLength(0);
      expect((await control('nothing-here')).status).toBe(404);
      // control paths never answer API traffic, and API paths never answer control traffic
      const apiOnControl = await fetch(`${fake.url}/_fake/graphql`, { method: 'POST', headers: { authorization: 'token ghp_http' }, body: JSON.stringify({ query: READ_VIEWER }) });
      expect(apiOnControl.status).toBe(404);
    });
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
