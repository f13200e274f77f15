import { ApiClient, ApiResponse } from '../support/api-client';
import { ServiceProcess } from '../support/services';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { queuePrefixFor } from '../support/test-env';

const UPDATE = '/api/v1/status/update';
const CURRENT = '/api/v1/status/current';
const PRESETS = '/api/v1/status/presets';

/** Empty means unset: these gateways run with the built-in budgets (100 writes, 1000 reads, 60 public). */
const BUILT_IN_BUDGETS = { RATE_LIMIT_WRITES_PER_HOUR: '', RATE_LIMIT_READS_PER_HOUR: '', RATE_LIMIT_PUBLIC_PER_MINUTE: '' };

const header = (answer: ApiResponse, name: string) => answer.headers.get(name);
const limitHeaders = (answer: ApiResponse) => ({
  limit: header(answer, 'ratelimit-limit'),
  remaining: header(answer, 'ratelimit-remaining'),
  policy: header(answer, 'ratelimit-policy'),
});

/** 429 problem details whose Retry-After and RateLimit-Reset agree and lie within the window. */
function expectTooManyRequests(answer: ApiResponse, windowSeconds: number) {
  expect({ status: answer.status, type: answer.body?.type }).toEqual({ status: 429, type: 'https://statusync.dev/problems/too-many-requests' });
  expect(header(answer, 'content-type')).toMatch(/^application\/problem\+json/);
  expect(header(answer, 'ratelimit-remaining')).toBe('0');
  const retryAfter = Number(header(answer, 'retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(header(answer, 'ratelimit-reset')).toBe(String(retryAfter));
  expect(answer.body.retryAfterSeconds).toBe(retryAfter);
  return retryAfter;
}

describe('rate limits (built-in budgets, shared through Redis)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('rate-limit', { services: ['api-gateway'], env: BUILT_IN_BUDGETS });
  }, 60_000);

  afterAll(() => stack?.stop());

  const update = (api: ApiClient, user: TestUser, message: string) => api.post(UPDATE, user.jwt, { message });

  async function storedUpdates(user: TestUser): Promise<number> {
    const { rows } = await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM status_updates u JOIN users ON users.id = u.user_id WHERE users.subject = $1', [
      user.subject,
    ]);
    return Number(rows[0].n);
  }

  /** Sends `count` requests, `parallel` at a time, and returns the answers in order. */
  async function many(count: number, send: (i: number) => Promise<ApiResponse>, parallel = 25): Promise<ApiResponse[]> {
    const answers: ApiResponse[] = [];
    for (let start = 0; start < count; start += parallel) {
      answers.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, i) => send(start + i)))));
    }
    return answers;
  }

  it('refuses the 101st write in an hour with 429 and Retry-After, before validation, storing nothing', async () => {
    const user = await newUser(stack, ['github']); // connecting the platform is write 1
    const accepted: ApiResponse[] = [];
    for (let n = 2; n <= 100; n++) accepted.push(await update(stack.api, user, `Write ${n}`));

    expect(accepted.map((a) => a.status)).toEqual(Array(99).fill(202));
    expect(accepted.map((a) => Number(header(a, 'ratelimit-remaining')))).toEqual(Array.from({ length: 99 }, (_, i) => 98 - i));
    expect(limitHeaders(accepted[98])).toEqual({ limit: '100', remaining: '0', policy: '100;w=3600' });
    // The window started with the first write, moments ago.
    expect(Number(header(accepted[98], 'ratelimit-reset'))).toBeGreaterThan(3500);

    const refused = await update(stack.api, user, 'One too many');
    const retryAfter = expectTooManyRequests(refused, 3600);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(refused.body.detail).toBe(`Rate limit reached: 100 writes per hour; retry after ${retryAfter} seconds`);
    expect(limitHeaders(refused)).toEqual({ limit: '100', remaining: '0', policy: '100;w=3600' });

    // Every write route shares the budget, and the limit is checked before the body is even validated.
    expectTooManyRequests(await stack.api.post('/api/v1/status/clear', user.jwt, {}), 3600);
    expectTooManyRequests(await stack.api.delete('/api/v1/config/platforms/github', user.jwt), 3600);
    expectTooManyRequests(await stack.api.post(UPDATE, user.jwt, { message: 'x'.repeat(500), colour: 'blue' }), 3600);
    expect(await storedUpdates(user)).toBe(99);
    expect((await stack.api.get('/api/v1/config/platforms', user.jwt)).body).toEqual([expect.objectContaining({ platform: 'github' })]);
  });

  it('gives reads a budget of their own (1000 an hour), and leaves other users alone', async () => {
    const user = await newUser(stack, ['github']);
    for (let n = 2; n <= 100; n++) await update(stack.api, user, `Write ${n}`);
    expect((await update(stack.api, user, 'refused')).status).toBe(429);

    // Writes spent, reads untouched.
    const firstRead = await stack.api.get(CURRENT, user.jwt);
    expect(firstRead.status).toBe(200);
    expect(limitHeaders(firstRead)).toEqual({ limit: '1000', remaining: '999', policy: '1000;w=3600' });

    const reads = await many(999, () => stack.api.get(PRESETS, user.jwt));
    expect(reads.filter((r) => r.status !== 200)).toEqual([]);
    expect(reads.map((r) => Number(header(r, 'ratelimit-remaining'))).sort((a, b) => a - b)).toEqual(Array.from({ length: 999 }, (_, i) => i));
    expectTooManyRequests(await stack.api.get(PRESETS, user.jwt), 3600);
    // Every read route shares it.
    const notFound = await stack.api.get('/api/v1/status/updates/00000000-0000-4000-8000-000000000000', user.jwt);
    expectTooManyRequests(notFound, 3600);

    // Someone else is not affected in the least.
    const other = await newUser(stack, ['github']);
    const theirs = await update(stack.api, other, 'Unaffected');
    expect(theirs.status).toBe(202);
    expect(limitHeaders(theirs)).toEqual({ limit: '100', remaining: '98', policy: '100;w=3600' });
    const theirRead = await stack.api.get(CURRENT, other.jwt);
    expect(limitHeaders(theirRead)).toEqual({ limit: '1000', remaining: '999', policy: '1000;w=3600' });
    // A refused request (400) still carries the headers, and still counts.
    const invalid = await stack.api.post(UPDATE, other.jwt, { message: 'x'.repeat(81) });
    expect(invalid.status).toBe(400);
    expect(limitHeaders(invalid)).toEqual({ limit: '100', remaining: '97', policy: '100;w=3600' });
  });

  describe('a second gateway instance', () => {
    let second: ServiceProcess;
    let secondApi: ApiClient;

    beforeAll(async () => {
      second = await stack.startService('api-gateway');
      secondApi = new ApiClient(second.url);
    }, 60_000);

    it('shares the budget: 50 writes on each, and the 101st is refused on either', async () => {
      const user = await newUser(stack, ['github']); // write 1, on the first instance
      const onFirst: ApiResponse[] = [];
      for (let n = 2; n <= 50; n++) onFirst.push(await update(stack.api, user, `First ${n}`));
      const onSecond: ApiResponse[] = [];
      for (let n = 51; n <= 100; n++) onSecond.push(await update(secondApi, user, `Second ${n}`));

      expect([...onFirst, ...onSecond].map((a) => a.status)).toEqual(Array(99).fill(202));
      // The second instance picks up where the first left off.
      expect(header(onSecond[0], 'ratelimit-remaining')).toBe('49');
      expect(header(onSecond[49], 'ratelimit-remaining')).toBe('0');

      expectTooManyRequests(await update(secondApi, user, 'refused on the second'), 3600);
      expectTooManyRequests(await update(stack.api, user, 'refused on the first'), 3600);
      expect(await storedUpdates(user)).toBe(99);
    });
  });

  describe('public routes, per client address', () => {
    it('allows 60 requests a minute to the API docs and refuses the 61st, whatever X-Forwarded-For says', async () => {
      const answers = await many(60, () => stack.api.get('/docs-json'), 10);
      expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
      expect(answers.map((a) => Number(header(a, 'ratelimit-remaining'))).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(limitHeaders(answers[0])).toMatchObject({ limit: '60', policy: '60;w=60' });

      const refused = await stack.api.get('/docs-json');
      expectTooManyRequests(refused, 60);
      expect(refused.body.detail).toMatch(/^Rate limit reached: 60 requests per minute; retry after \d+ seconds$/);
      // The Swagger UI page draws on the same budget.
      expectTooManyRequests(await stack.api.get('/docs'), 60);
      // Without TRUST_PROXY the socket address is the client: a forged header changes nothing.
      expectTooManyRequests(await stack.api.request('GET', '/docs-json', { headers: { 'x-forwarded-for': '203.0.113.9' } }), 60);
    });

    it('never limits health probes, and does not count API calls against the address', async () => {
      // The address is out of public budget (previous test); probes and authenticated calls do not care.
      const probes = await many(150, (i) => stack.api.get(i % 2 === 0 ? '/health/live' : '/health/ready'));
      expect(probes.map((p) => p.status)).toEqual(Array(150).fill(200));
      expect(probes.filter((p) => header(p, 'ratelimit-limit') !== null)).toEqual([]);

      const user = await newUser(stack, []);
      const read = await stack.api.get(CURRENT, user.jwt);
      expect(read.status).toBe(200);
      expect(limitHeaders(read)).toEqual({ limit: '1000', remaining: '999', policy: '1000;w=3600' });
    });

    describe('behind a trusted proxy (TRUST_PROXY)', () => {
      let api: ApiClient;
      const from = (client: string, path = '/docs-json') => api.request('GET', path, { headers: { 'x-forwarded-for': client } });

      beforeAll(async () => {
        const behindProxy = await stack.startService('api-gateway', { TRUST_PROXY: 'loopback', QUEUE_PREFIX: queuePrefixFor('rate-limit-proxy') });
        api = new ApiClient(behindProxy.url);
      }, 60_000);

      it('believes X-Forwarded-For from the proxy: each client has its own budget', async () => {
        const first = await many(60, () => from('203.0.113.1'), 10);
        expect(first.map((a) => a.status)).toEqual(Array(60).fill(200));
        expectTooManyRequests(await from('203.0.113.1'), 60);

        const second = await from('203.0.113.2');
        expect({ status: second.status, remaining: header(second, 'ratelimit-remaining') }).toEqual({ status: 200, remaining: '59' });
        // The proxy itself, calling without the header, is a client of its own too.
        expect((await api.get('/docs-json')).status).toBe(200);
      });

      it('limits the OAuth callback, a public API route, per address from the same budget', async () => {
        const callback = (client: string) => from(client, '/api/v1/oauth/github/callback?code=attacker&state=guess');
        const answers = await many(60, () => callback('203.0.113.3'), 10);
        // Whatever the callback answers to a bad state, it answers it 60 times, never a 5xx, always with the headers.
        expect(answers.filter((a) => a.status === 429 || a.status >= 500)).toEqual([]);
        expect(answers.map((a) => header(a, 'ratelimit-policy'))).toEqual(Array(60).fill('60;w=60'));
        expectTooManyRequests(await callback('203.0.113.3'), 60);
        // One budget per address: the docs are out of reach for this client now, not for others.
        expectTooManyRequests(await from('203.0.113.3'), 60);
        expect((await callback('203.0.113.4')).status).not.toBe(429);
      });
    });
  });
});
