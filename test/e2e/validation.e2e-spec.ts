import { randomBytes, randomUUID } from 'node:crypto';
import { ApiResponse, RequestOptions } from '../support/api-client';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';

const UPDATE = '/api/v1/status/update';
const CLEAR = '/api/v1/status/clear';
const PLATFORMS = '/api/v1/config/platforms';
const HISTORY = '/api/v1/status/history';
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** What a request could have changed for a user: rows of its own, and writes the fakes received. */
interface Footprint {
  updates: number;
  deliveries: number;
  configs: { platform: string; account_name: string; state: string; token_ciphertext: string }[];
  githubMutations: number;
  slackWrites: number;
  githubMutationsTotal: number;
  slackProfileWritesTotal: number;
}

describe('invalid requests are refused with problem details and change nothing', () => {
  let stack: TestStack;
  /** Both platforms connected; every request this user makes is refused, so it must never own a row. */
  let victim: TestUser;
  /** Makes the requests that must be accepted. */
  let accepted: TestUser;
  const userIds = new Map<string, string>();

  beforeAll(async () => {
    stack = await startStack('validation');
    [victim, accepted] = await Promise.all([newUser(stack), newUser(stack)]);
  }, 60_000);

  afterAll(() => stack?.stop());

  async function userIdOf(user: TestUser): Promise<string> {
    if (!userIds.has(user.subject)) {
      // A user with no platform has never called the API yet: one authenticated call creates it.
      expect((await stack.api.get('/api/v1/status/current', user.jwt)).status).toBe(200);
      const { rows } = await stack.db.query<{ id: string }>('SELECT id FROM users WHERE subject = $1', [user.subject]);
      userIds.set(user.subject, rows[0].id);
    }
    return userIds.get(user.subject)!;
  }

  async function footprint(user: TestUser): Promise<Footprint> {
    const id = await userIdOf(user);
    const count = async (table: string) => Number((await stack.db.query(`SELECT count(*) AS n FROM ${table} WHERE user_id = $1`, [id])).rows[0].n);
    const configs = await stack.db.query(
      `SELECT platform, account_name, state, encode(token_ciphertext, 'hex') AS token_ciphertext FROM platform_configs WHERE user_id = $1 ORDER BY platform`,
      [id],
    );
    return {
      updates: await count('status_updates'),
      deliveries: await count('status_deliveries'),
      configs: configs.rows,
      githubMutations: stack.github.mutations(user.githubLogin).length,
      slackWrites: stack.slack.profileWrites(user.slackUserId).length,
      githubMutationsTotal: stack.github.mutations().length,
      slackProfileWritesTotal: stack.slack.profileWrites().length,
    };
  }

  /** RFC 9457 problem details with the request id, in body and header alike. */
  function expectProblem(answer: ApiResponse, status: number) {
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { status } });
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toEqual(
      expect.objectContaining({
        type: expect.stringMatching(/^https:\/\/statusync\.dev\/problems\/[a-z-]+$/),
        title: expect.any(String),
        detail: expect.any(String),
        requestId: expect.any(String),
      }),
    );
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
  }

  /** Sends, expects the problem (naming `field` when given) and checks that nothing changed for `user`. */
  async function refused(user: TestUser, send: () => Promise<ApiResponse>, status: number, field?: string): Promise<ApiResponse> {
    const before = await footprint(user);
    const answer = await send();
    expectProblem(answer, status);
    if (field !== undefined) {
      expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, reason: expect.any(String) })]));
    }
    expect(await footprint(user)).toEqual(before);
    return answer;
  }

  const post = (user: TestUser, path: string, body?: unknown, headers?: Record<string, string>) => stack.api.post(path, user.jwt, body, headers);
  const send = (user: TestUser, method: string, path: string, options: RequestOptions = {}) => stack.api.request(method, path, { token: user.jwt, ...options });

  describe('POST /status/update', () => {
    it('accepts a message of exactly 80 characters and refuses 81', async () => {
      const message = 'm'.repeat(80);
      const ok = await post(accepted, UPDATE, { message });
      expect(ok.status).toBe(202);
      expect((await settled(stack, accepted, ok.body.id)).message).toBe(message);
      expect(stack.github.statusOf(accepted.githubLogin)?.message).toBe(message);

      const tooLong = await refused(victim, () => post(victim, UPDATE, { message: 'm'.repeat(81) }), 400, 'message');
      expect(tooLong.body).toMatchObject({ type: 'https://statusync.dev/problems/validation', title: 'Invalid request' });
      expect(tooLong.body.errors).toEqual([{ field: 'message', reason: 'message must be shorter than or equal to 80 characters' }]);
    });

    it('accepts an emoji with a skin tone', async () => {
      // GitHub only: the Slack fake refuses skin-tone suffixes, which the API accepts on purpose. GitHub has no names
      // for skin tones, so it is sent the Unicode emoji (emojibase-data).
      const ok = await post(accepted, UPDATE, { emoji: ':wave::skin-tone-3:', message: 'Hello', platforms: ['github'] });
      expect(ok.status).toBe(202);
      expect(await settled(stack, accepted, ok.body.id)).toMatchObject({ state: 'succeeded', emoji: ':wave::skin-tone-3:' });
      expect(stack.github.statusOf(accepted.githubLogin)?.emoji).toBe('👋🏼');
    });

    it.each([
      ['a newline', { message: 'line one\nline two' }, 'message'],
      ['a carriage return', { message: 'line one\rline two' }, 'message'],
      ['a tab', { message: 'tab\there' }, 'message'],
      ['a message that is not a string', { message: 42 }, 'message'],
      ['two Unicode emoji', { emoji: '🌴🌴', message: 'Away' }, 'emoji'],
      ['a shortcode no platform knows', { emoji: ':not_an_emoji:', message: 'Away' }, 'emoji'],
      ['an emoji without colons', { emoji: 'coffee' }, 'emoji'],
      ['an emoji with a space', { emoji: ':bad emoji:' }, 'emoji'],
      ['an emoji with upper case', { emoji: ':Coffee:' }, 'emoji'],
      ['a skin tone that does not exist', { emoji: ':wave::skin-tone-7:' }, 'emoji'],
      ['an expiresAt in the past', { message: 'late', expiresAt: '2020-01-01T10:00:00Z' }, 'expiresAt'],
      ['an expiresAt without a time zone', { message: 'where?', expiresAt: '2030-01-01T10:00:00' }, 'expiresAt'],
      ['an expiresAt that is not a date', { message: 'when?', expiresAt: 'tomorrow' }, 'expiresAt'],
      ['an expiresAt on a day the month does not have', { message: 'when?', expiresAt: '2030-02-30T10:00:00Z' }, 'expiresAt'],
      ['an expiresAt on 29 February of a common year', { message: 'when?', expiresAt: '2031-02-29T10:00:00Z' }, 'expiresAt'],
      ['an expiresAt that is a number', { message: 'when?', expiresAt: 1893456000 }, 'expiresAt'],
      ['a date without a time', { message: 'when?', expiresAt: '2030-01-01' }, 'expiresAt'],
      ['durationMinutes 0', { message: 'now', durationMinutes: 0 }, 'durationMinutes'],
      ['durationMinutes -5', { message: 'now', durationMinutes: -5 }, 'durationMinutes'],
      ['durationMinutes 1.5', { message: 'soon', durationMinutes: 1.5 }, 'durationMinutes'],
      ['durationMinutes as a string', { message: 'soon', durationMinutes: '30' }, 'durationMinutes'],
      ['durationMinutes over a year', { message: 'long', durationMinutes: 525_601 }, 'durationMinutes'],
      ['limitedAvailability as a string', { message: 'busy', limitedAvailability: 'true' }, 'limitedAvailability'],
      ['limitedAvailability as a number', { message: 'busy', limitedAvailability: 1 }, 'limitedAvailability'],
      ['an empty platforms list', { message: 'hi', platforms: [] }, 'platforms'],
      ['an unknown platform', { message: 'hi', platforms: ['myspace'] }, 'platforms'],
      ['a duplicated platform', { message: 'hi', platforms: ['github', 'github'] }, 'platforms'],
      ['platforms that is not an array', { message: 'hi', platforms: 'github' }, 'platforms'],
      ['platforms that is an object', { message: 'hi', platforms: { github: true } }, 'platforms'],
      ['an unknown field', { message: 'hi', colour: 'blue' }, 'colour'],
      ['a prototype-polluting field', JSON.parse('{"message":"hi","__proto__":{"admin":true}}'), undefined],
      ['neither emoji nor message', {}, 'message'],
      ['only limitedAvailability', { limitedAvailability: true }, 'message'],
      ['an empty message and no emoji', { message: '' }, 'message'],
    ])('refuses %s with 400', async (_case, body, field) => {
      await refused(victim, () => post(victim, UPDATE, body), 400, field);
    });

    it('refuses expiresAt together with durationMinutes', async () => {
      const answer = await refused(victim, () => post(victim, UPDATE, { message: 'both', expiresAt: inAnHour(), durationMinutes: 30 }), 400, 'durationMinutes');
      expect(answer.body.errors[0].reason).toMatch(/either expiresAt or durationMinutes/);
    });

    it('names every bad field at once', async () => {
      const answer = await refused(victim, () => post(victim, UPDATE, { message: 'x'.repeat(81), emoji: 'coffee', durationMinutes: 0, platforms: [] }), 400);
      const fields = new Set(answer.body.errors.map((e: { field: string }) => e.field));
      expect(fields).toEqual(new Set(['message', 'emoji', 'durationMinutes', 'platforms']));
    });

    it('refuses a platform that is not configured with 422 naming it', async () => {
      const githubOnly = await newUser(stack, ['github']);
      const answer = await refused(githubOnly, () => post(githubOnly, UPDATE, { message: 'hi', platforms: ['slack'] }), 422, 'platforms');
      expect(answer.body).toMatchObject({ type: 'https://statusync.dev/problems/platform-not-configured', detail: 'slack is not configured for this user' });
      expect(answer.body.errors).toEqual([{ field: 'platforms', reason: 'slack is not configured' }]);
      // Asking for both does not half-apply: still refused, still only slack named.
      const both = await refused(githubOnly, () => post(githubOnly, UPDATE, { message: 'hi', platforms: ['github', 'slack'] }), 422, 'platforms');
      expect(both.body.errors).toEqual([{ field: 'platforms', reason: 'slack is not configured' }]);
      // The same holds for presets and clear.
      await refused(githubOnly, () => post(githubOnly, '/api/v1/status/presets/busy', { platforms: ['slack'] }), 422, 'platforms');
      await refused(githubOnly, () => post(githubOnly, CLEAR, { platforms: ['slack'] }), 422, 'platforms');
    });

    it('refuses any update with 422 when no platform is configured', async () => {
      const nobody = await newUser(stack, []);
      const answer = await refused(nobody, () => post(nobody, UPDATE, { message: 'hi' }), 422, 'platforms');
      expect(answer.body).toMatchObject({ type: 'https://statusync.dev/problems/no-platform-configured' });
      await refused(nobody, () => post(nobody, '/api/v1/status/presets/away'), 422, 'platforms');
      await refused(nobody, () => post(nobody, CLEAR), 422, 'platforms');
      await refused(nobody, () => post(nobody, UPDATE, { message: 'hi', platforms: ['github'] }), 422, 'platforms');
    });

    it.each([
      ['an array', '[{"message":"hi"}]'],
      ['an empty array', '[]'],
      ['a string', '"hello"'],
      ['a number', '42'],
      ['true', 'true'],
    ])('refuses a JSON body that is %s with 400', async (_case, rawBody) => {
      for (const path of [UPDATE, '/api/v1/status/presets/busy', CLEAR]) {
        const answer = await refused(victim, () => send(victim, 'POST', path, { rawBody, headers: { 'content-type': 'application/json' } }), 400);
        expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      }
    });

    it('refuses malformed JSON with 400', async () => {
      for (const rawBody of ['{"message": "hi"', "{'message': 'hi'}", '{"message": "hi",}']) {
        await refused(victim, () => send(victim, 'POST', UPDATE, { rawBody, headers: { 'content-type': 'application/json' } }), 400);
      }
    });

    it('refuses a body that is not JSON with 415', async () => {
      await refused(victim, () => send(victim, 'POST', UPDATE, { rawBody: 'message=hi', headers: { 'content-type': 'text/plain' } }), 415);
      await refused(victim, () => send(victim, 'POST', UPDATE, { rawBody: '{"message":"hi"}', headers: { 'content-type': 'text/plain' } }), 415);
      await refused(victim, () => send(victim, 'POST', UPDATE, { rawBody: 'message=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
      await refused(victim, () => send(victim, 'POST', CLEAR, { rawBody: '{}', headers: { 'content-type': 'text/plain' } }), 415);
    });

    it('refuses a body over 64 KB with 413', async () => {
      const big = JSON.stringify({ message: 'hi', padding: 'x'.repeat(70 * 1024) });
      await refused(victim, () => send(victim, 'POST', UPDATE, { rawBody: big, headers: { 'content-type': 'application/json' } }), 413);
    });
  });

  describe('presets and clear', () => {
    it('refuses an unknown preset with 404', async () => {
      const answer = await refused(victim, () => post(victim, '/api/v1/status/presets/vacation'), 404);
      expect(answer.body.detail).toMatch(/no preset "vacation".*working, lunch, away, busy/);
      // Names every object has are not presets either (names are compared without case: BUSY is busy).
      for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'CONSTRUCTOR']) {
        await refused(victim, () => post(victim, `/api/v1/status/presets/${name}`), 404);
      }
      await refused(victim, () => post(victim, `/api/v1/status/presets/${'p'.repeat(65)}`), 400, 'name');
    });

    it.each([
      ['an emoji override', { emoji: ':coffee:' }, 'emoji'],
      ['a limitedAvailability override', { limitedAvailability: false }, 'limitedAvailability'],
      ['a message over 80 characters', { message: 'p'.repeat(81) }, 'message'],
      ['expiresAt and durationMinutes', { expiresAt: inAnHour(), durationMinutes: 5 }, 'durationMinutes'],
      ['an unknown platform', { platforms: ['myspace'] }, 'platforms'],
    ])('refuses a preset with %s with 400', async (_case, body, field) => {
      await refused(victim, () => post(victim, '/api/v1/status/presets/lunch', body), 400, field);
    });

    it.each([
      ['a message', { message: 'bye' }, 'message'],
      ['an emoji', { emoji: ':coffee:' }, 'emoji'],
      ['empty platforms', { platforms: [] }, 'platforms'],
      ['an unknown platform', { platforms: ['myspace'] }, 'platforms'],
    ])('refuses a clear with %s with 400', async (_case, body, field) => {
      await refused(victim, () => post(victim, CLEAR, body), 400, field);
    });
  });

  describe('GET /status/updates/:id', () => {
    it('refuses an id that is not a UUID with 400', async () => {
      await refused(victim, () => stack.api.get('/api/v1/status/updates/not-a-uuid', victim.jwt), 400, 'id');
      await refused(victim, () => stack.api.get(`/api/v1/status/updates/${randomUUID()}x`, victim.jwt), 400, 'id');
    });

    it('answers 404 for an unknown id', async () => {
      const answer = await refused(victim, () => stack.api.get(`/api/v1/status/updates/${randomUUID()}`, victim.jwt), 404);
      expect(answer.body).toMatchObject({ type: 'https://statusync.dev/problems/not-found', detail: 'status update not found' });
    });

    it("answers 404 for another user's update, exactly as for an unknown one", async () => {
      const secret = `secret plan ${randomBytes(4).toString('hex')}`;
      const theirs = await post(accepted, UPDATE, { message: secret, emoji: ':lock:' });
      expect(theirs.status).toBe(202);
      await settled(stack, accepted, theirs.body.id);

      const answer = await refused(victim, () => stack.api.get(`/api/v1/status/updates/${theirs.body.id}`, victim.jwt), 404);
      const unknown = await stack.api.get(`/api/v1/status/updates/${randomUUID()}`, victim.jwt);
      const { requestId: _a, ...leaked } = answer.body;
      const { requestId: _b, ...notFound } = unknown.body;
      expect(leaked).toEqual(notFound);
      expect(answer.text).not.toContain(secret);
      expect(answer.text).not.toContain(theirs.body.id);
      expect(answer.text).not.toContain(accepted.subject);
      expect(answer.text).not.toContain(accepted.githubLogin);
      // The owner still sees it.
      expect((await stack.api.get(`/api/v1/status/updates/${theirs.body.id}`, accepted.jwt)).body.message).toBe(secret);
    });
  });

  describe('GET /status/history', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['platform=x', 'platform'],
      ['platform=GitHub', 'platform'],
      ['from=garbage', 'from'],
      ['to=2030-01-01', 'to'],
      [`from=${encodeURIComponent('2030-01-01T10:00:00')}`, 'from'],
      [`from=${encodeURIComponent('2030-01-02T00:00:00Z')}&to=${encodeURIComponent('2030-01-01T00:00:00Z')}`, 'to'],
      [`from=${encodeURIComponent('2030-01-01T00:00:00Z')}&to=${encodeURIComponent('2030-01-01T00:00:00Z')}`, 'to'],
      [`from=${encodeURIComponent('2030-01-01T01:00:00+01:00')}&to=${encodeURIComponent('2030-01-01T00:00:00Z')}`, 'to'],
      [`cursor=${Buffer.from('abc').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('1 OR 1=1').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('99999999999999999999').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('9999999999999999999').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('-1').toString('base64url')}`, 'cursor'],
      [`cursor=${encodeURIComponent('../../etc/passwd')}`, 'cursor'],
      [`cursor=${'A'.repeat(41)}`, 'cursor'],
      ['cursor=', 'cursor'],
      ['unknown=1', 'unknown'],
    ])('refuses ?%s with 400', async (query, field) => {
      await refused(victim, () => stack.api.get(`${HISTORY}?${query}`, victim.jwt), 400, field);
    });

    it('accepts the boundaries', async () => {
      const cursors = ['1', '9223372036854775807'].map((seq) => `cursor=${Buffer.from(seq).toString('base64url')}`);
      for (const query of ['limit=1', 'limit=100', 'platform=slack', `from=${encodeURIComponent('2028-02-29T00:00:00Z')}`, ...cursors]) {
        const answer = await stack.api.get(`${HISTORY}?${query}`, victim.jwt);
        expect({ query, status: answer.status, body: answer.body }).toEqual({ query, status: 200, body: { items: [], nextCursor: null } });
      }
    });
  });

  describe('platform configuration', () => {
    it.each([
      ['an unknown platform', { platform: 'myspace', token: 'ghp_0123456789abcdef' }, 'platform'],
      ['no platform', { token: 'ghp_0123456789abcdef' }, 'platform'],
      ['a missing token', { platform: 'github' }, 'token'],
      ['a token with spaces', { platform: 'github', token: 'ghp_0123 456789' }, 'token'],
      ['a token with a newline', { platform: 'slack', token: 'xoxp-0123456789\n' }, 'token'],
      ['a token that is too short', { platform: 'github', token: 'ghp_1' }, 'token'],
      ['a token that is too long', { platform: 'github', token: `ghp_${'0123456789'.repeat(51)}` }, 'token'],
      ['a token that is not a string', { platform: 'github', token: 12345678901 }, 'token'],
      ['an unknown field', { platform: 'github', token: 'ghp_0123456789abcdef', scopes: ['user'] }, 'scopes'],
    ])('refuses %s with 400 and stores nothing', async (_case, body, field) => {
      const answer = await refused(victim, () => post(victim, PLATFORMS, body), 400, field);
      expect(answer.text).not.toContain('0123456789');
    });

    it('refuses a token GitHub rejects with 422 naming the token, keeps the connection there was', async () => {
      const stranger = await newUser(stack, []);
      const unknownToken = `ghp_${randomBytes(18).toString('hex')}`;
      const answer = await refused(stranger, () => post(stranger, PLATFORMS, { platform: 'github', token: unknownToken }), 422, 'token');
      expect(answer.body).toMatchObject({
        type: 'https://statusync.dev/problems/invalid-token',
        detail: 'github rejected the token: bad_credentials',
        errors: [{ field: 'token', reason: 'github answered bad_credentials' }],
        platform: 'github',
        platformError: 'bad_credentials',
      });
      expect(answer.text).not.toContain(unknownToken);

      // A user who is connected keeps the working connection when a bad token is offered.
      const before = await footprint(victim);
      expect(before.configs.map((c) => c.platform)).toEqual(['github', 'slack']);
      await refused(victim, () => post(victim, PLATFORMS, { platform: 'github', token: unknownToken }), 422, 'token');
      const listed = await stack.api.get(PLATFORMS, victim.jwt);
      expect(listed.body.find((c: { platform: string }) => c.platform === 'github')).toMatchObject({ accountName: victim.githubLogin, state: 'active' });
    });

    it('refuses a revoked Slack token with 422 naming the token', async () => {
      const stranger = await newUser(stack, []);
      stack.slack.revokeToken(stranger.slackToken);
      const answer = await refused(stranger, () => post(stranger, PLATFORMS, { platform: 'slack', token: stranger.slackToken }), 422, 'token');
      expect(answer.body).toMatchObject({
        type: 'https://statusync.dev/problems/invalid-token',
        detail: 'slack rejected the token: token_revoked',
        errors: [{ field: 'token', reason: 'slack answered token_revoked' }],
        platform: 'slack',
        platformError: 'token_revoked',
      });
      expect(answer.text).not.toContain(stranger.slackToken);
      // And a token Slack has never seen.
      await refused(stranger, () => post(stranger, PLATFORMS, { platform: 'slack', token: `xoxp-${randomBytes(12).toString('hex')}` }), 422, 'token');
      expect((await stack.api.get(PLATFORMS, stranger.jwt)).body).toEqual([]);
    });

    it('refuses DELETE of an unknown platform with 400', async () => {
      await refused(victim, () => stack.api.delete(`${PLATFORMS}/myspace`, victim.jwt), 400, 'platform');
      await refused(victim, () => stack.api.delete(`${PLATFORMS}/GITHUB`, victim.jwt), 400, 'platform');
    });
  });

  describe('request ids', () => {
    it('echoes a client X-Request-Id in the header and in requestId', async () => {
      const requestId = `e2e-${randomBytes(6).toString('hex')}`;
      const answer = await refused(victim, () => post(victim, UPDATE, { message: 'x'.repeat(81) }, { 'x-request-id': requestId }), 400, 'message');
      expect(answer.headers.get('x-request-id')).toBe(requestId);
      expect(answer.body.requestId).toBe(requestId);

      const notFound = await send(victim, 'GET', `/api/v1/status/updates/${randomUUID()}`, { headers: { 'x-request-id': `${requestId}-2` } });
      expect(notFound.status).toBe(404);
      expect(notFound.body.requestId).toBe(`${requestId}-2`);
    });

    it('replaces an X-Request-Id that is not sane with a generated one', async () => {
      const answer = await send(victim, 'POST', UPDATE, { body: { message: 'x'.repeat(81) }, headers: { 'x-request-id': 'has spaces <script>' } });
      expect(answer.status).toBe(400);
      expect(answer.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.headers.get('x-request-id')).toBe(answer.body.requestId);
    });

    it('gives every answer its own id when none is sent', async () => {
      const [a, b] = await Promise.all([post(victim, UPDATE, {}), post(victim, UPDATE, {})]);
      expect(a.body.requestId).not.toBe(b.body.requestId);
    });
  });

  it('left the refused user without a single update, delivery or platform write', async () => {
    const after = await footprint(victim);
    expect(after).toMatchObject({ updates: 0, deliveries: 0, githubMutations: 0, slackWrites: 0 });
    expect(after.configs.map((c) => c.platform)).toEqual(['github', 'slack']);
    expect((await stack.api.get(HISTORY, victim.jwt)).body.items).toEqual([]);
  });
});
