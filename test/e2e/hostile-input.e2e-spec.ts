import { NO_CONTROL_CHARACTERS } from '../../libs/platforms/src/status-format';
import { ApiResponse, RequestOptions } from '../support/api-client';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';

const UPDATE = '/api/v1/status/update';
const PRESET = '/api/v1/status/presets/busy';
const CLEAR = '/api/v1/status/clear';
const PLATFORMS = '/api/v1/config/platforms';
const HISTORY = '/api/v1/status/history';
const POST_ROUTES = [UPDATE, PRESET, CLEAR, PLATFORMS];

/** Classic injection and traversal strings, and a NUL byte (Postgres refuses it in text: a 500 if it got that far). */
const PAYLOADS = ["'; DROP TABLE users; --", '1 OR 1=1', '<script>alert(1)</script>', '../../etc/passwd', 'nul\u0000byte'];
/** What a status message may legitimately say: accepted and handled as the text it is. */
const TEXT_PAYLOADS = PAYLOADS.filter((p) => NO_CONTROL_CHARACTERS.test(p));
/** HTTP header values cannot carry a NUL; fetch would refuse to send it. */
const HEADER_PAYLOADS = PAYLOADS.filter((p) => !p.includes('\u0000'));
/** The API's token rule (printable ASCII, 8-512): a payload that passes it reaches the platform, which refuses it. */
const LOOKS_LIKE_TOKEN = /^[\x21-\x7e]{8,512}$/;
const enc = encodeURIComponent;

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('hostile input: refused with 4xx (never 5xx), never stored, never rendered as HTML', () => {
  let stack: TestStack;
  /** Both platforms connected; every request it makes is refused. */
  let victim: TestUser;
  /** Sends the hostile text that is legitimately a status message. */
  let writer: TestUser;

  beforeAll(async () => {
    stack = await startStack('hostile', { ownSchema: true });
    [victim, writer] = await Promise.all([newUser(stack), newUser(stack)]);
  }, 60_000);

  afterAll(() => stack?.stop());

  /** Every row of every table in the stack's own schema, plus every platform write the fakes received. */
  async function footprint() {
    const tables = await stack.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
      [stack.schema],
    );
    const digests: Record<string, string> = {};
    for (const { table_name: table } of tables.rows) {
      const { rows } = await stack.db.query<{ n: number; digest: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM "${stack.schema}"."${table}" t`,
      );
      digests[table] = `${rows[0].n}:${rows[0].digest}`;
    }
    return { digests, githubMutations: stack.github.mutations().length, slackWrites: stack.slack.profileWrites().length };
  }

  /** Every answer is JSON with nosniff and a CSP that lets nothing run, whatever it echoes. */
  function expectInertJson(answer: ApiResponse) {
    expect(answer.headers.get('content-type')).toMatch(/^application\/(problem\+)?json; charset=utf-8$/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  }

  /** Sends, expects `status` (or one of them) as problem details, and checks that not a row nor a platform write changed. */
  async function refused(send: () => Promise<ApiResponse>, status: number | number[]): Promise<ApiResponse> {
    const before = await footprint();
    const answer = await send();
    const expected = ([] as number[]).concat(status);
    expect(expected).toContain(answer.status);
    expect(answer.body?.status).toBe(answer.status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await footprint()).toEqual(before);
    return answer;
  }

  const as = (user: TestUser, method: string, path: string, options: RequestOptions = {}) => stack.api.request(method, path, { token: user.jwt, ...options });
  const raw = (path: string, rawBody: string, contentType: string) => as(victim, 'POST', path, { rawBody, headers: { 'content-type': contentType } });

  type Case = [field: string, send: () => Promise<ApiResponse>, status: number | number[]];

  /** Every string field of every endpoint, with `payload` in it, and the status it must be refused with. */
  function casesFor(payload: string): Case[] {
    const cases: Case[] = [
      ['update emoji', () => as(victim, 'POST', UPDATE, { body: { emoji: payload } }), 400],
      ['update expiresAt', () => as(victim, 'POST', UPDATE, { body: { message: 'x', expiresAt: payload } }), 400],
      ['update durationMinutes', () => as(victim, 'POST', UPDATE, { body: { message: 'x', durationMinutes: payload } }), 400],
      ['update limitedAvailability', () => as(victim, 'POST', UPDATE, { body: { message: 'x', limitedAvailability: payload } }), 400],
      ['update platforms', () => as(victim, 'POST', UPDATE, { body: { message: 'x', platforms: [payload] } }), 400],
      ['an update field name', () => as(victim, 'POST', UPDATE, { body: { message: 'x', [payload]: 'x' } }), 400],
      ['preset expiresAt', () => as(victim, 'POST', PRESET, { body: { expiresAt: payload } }), 400],
      ['preset platforms', () => as(victim, 'POST', PRESET, { body: { platforms: [payload] } }), 400],
      ['clear platforms', () => as(victim, 'POST', CLEAR, { body: { platforms: [payload] } }), 400],
      ['connect platform', () => as(victim, 'POST', PLATFORMS, { body: { platform: payload, token: 'ghp_0123456789abcdef' } }), 400],
      ['connect token', () => as(victim, 'POST', PLATFORMS, { body: { platform: 'github', token: payload } }), LOOKS_LIKE_TOKEN.test(payload) ? 422 : 400],
      ['the update id in the path', () => as(victim, 'GET', `/api/v1/status/updates/${enc(payload)}`), 400],
      ['the preset name in the path', () => as(victim, 'POST', `/api/v1/status/presets/${enc(payload)}`), 404],
      ['the platform in the path', () => as(victim, 'DELETE', `${PLATFORMS}/${enc(payload)}`), 400],
      ['a history query parameter name', () => as(victim, 'GET', `${HISTORY}?${enc(payload)}=1`), 400],
    ];
    // OAuth (not configured on this stack): a well-formed code or state gets "not configured", anything else a 400.
    cases.push(['the OAuth authorize platform', () => as(victim, 'GET', `/api/v1/oauth/${enc(payload)}/authorize`), 400]);
    cases.push(['the OAuth callback platform', () => as(victim, 'GET', `/api/v1/oauth/${enc(payload)}/callback?code=c&state=s`), 400]);
    for (const name of ['code', 'state', 'error']) {
      const query = { code: 'c', state: 's', [name]: payload };
      cases.push([`OAuth callback ?${name}`, () => stack.api.get(`/api/v1/oauth/github/callback?${new URLSearchParams(query)}`), [400, 404]]);
    }
    for (const name of ['platform', 'from', 'to', 'limit', 'cursor']) {
      cases.push([`history ?${name}`, () => as(victim, 'GET', `${HISTORY}?${name}=${enc(payload)}`), 400]);
    }
    // Text that is a valid message is accepted instead (see "hostile text is just text" below).
    if (!TEXT_PAYLOADS.includes(payload)) {
      cases.push(['update message', () => as(victim, 'POST', UPDATE, { body: { message: payload } }), 400]);
      cases.push(['preset message', () => as(victim, 'POST', PRESET, { body: { message: payload } }), 400]);
    }
    return cases;
  }

  describe.each(PAYLOADS.map((p) => [JSON.stringify(p), p]))('the payload %s', (_label, payload) => {
    it.each(casesFor(payload))('in %s is refused', async (_field, send, status) => {
      const answer = await refused(send, status);
      expectInertJson(answer);
    });

    if (HEADER_PAYLOADS.includes(payload)) {
      it('as a bearer token is refused with 401', async () => {
        expectInertJson(await refused(() => stack.api.request('GET', '/api/v1/status/current', { headers: { authorization: `Bearer ${payload}` } }), 401));
      });
    }
  });

  it('echoes a hostile preset name only inside JSON, never as markup', async () => {
    const answer = await refused(() => as(victim, 'POST', `/api/v1/status/presets/${enc('<script>alert(1)</script>')}`), 404);
    expectInertJson(answer);
    expect(answer.body.detail).toBe('There is no preset "<script>alert(1)</script>"; presets are working, lunch, away, busy and the names of your and your org\'s templates');
  });

  it('refuses an Idempotency-Key with spaces, and nothing is stored for the valid body it came with', async () => {
    for (const key of HEADER_PAYLOADS.filter((p) => p.includes(' '))) {
      const answer = await refused(() => as(writer, 'POST', UPDATE, { body: { message: 'fine' }, headers: { 'idempotency-key': key } }), 400);
      expect(answer.body.errors).toEqual([{ field: 'Idempotency-Key', reason: expect.any(String) }]);
    }
  });

  describe('oversized', () => {
    it.each(POST_ROUTES)('refuses a 70 KB body to %s with 413', async (path) => {
      expectInertJson(await refused(() => raw(path, JSON.stringify({ message: 'hi', padding: 'x'.repeat(70 * 1024) }), 'application/json'), 413));
    });

    it('refuses 20 KB of headers and a 100 KB URL with 431 before any route runs', async () => {
      const before = await footprint();
      const bigHeader = await as(victim, 'POST', UPDATE, { body: { message: 'hi' }, headers: { 'idempotency-key': 'k'.repeat(20 * 1024) } });
      const bigUrl = await as(victim, 'GET', `${HISTORY}?cursor=${'A'.repeat(100 * 1024)}`);
      expect([bigHeader.status, bigUrl.status]).toEqual([431, 431]);
      for (const answer of [bigHeader, bigUrl]) expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await footprint()).toEqual(before);
    });
  });

  describe('deeply nested JSON', () => {
    it.each(POST_ROUTES)('refuses thousands of levels, at the top and in a field, of %s with 400 json-too-deep', async (path) => {
      const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
      for (const body of [nested(10_000), arrays(10_000), `{"message":${arrays(10_000)}}`, `{"platforms":${nested(5_000)}}`]) {
        expect(body.length).toBeLessThan(64 * 1024);
        const answer = await refused(() => raw(path, body, 'application/json'), 400);
        expect(answer.body.type).toBe('https://statusync.dev/problems/json-too-deep');
        expectInertJson(answer);
      }
    });

    it('refuses nesting within the limit as an invalid field, not as a crash', async () => {
      const answer = await refused(() => raw(UPDATE, `{"message":${nested(30)}}`, 'application/json'), 400);
      expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'message' })]));
    });

    it('refuses a lone UTF-16 surrogate, which could not be stored as sent', async () => {
      const answer = await refused(() => raw(UPDATE, '{"message":"half an emoji \\ud83c"}', 'application/json'), 400);
      expect(answer.body.type).toBe('https://statusync.dev/problems/invalid-unicode');
    });
  });

  describe('wrong content types', () => {
    const types = ['text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'application/json-patch+json'];

    it.each(POST_ROUTES)('refuses every non-JSON type on %s with 415, even when the body is JSON', async (path) => {
      for (const type of types) {
        const answer = await refused(() => raw(path, '{"message":"hi","platform":"github","token":"ghp_0123456789abcdef"}', type), 415);
        expect({ type, status: answer.status }).toEqual({ type, status: 415 });
        expectInertJson(answer);
      }
    });

    it('refuses a body without a content type with 415', async () => {
      // fetch labels a string body text/plain; bytes go without a content type.
      const send = async (): Promise<ApiResponse> => {
        const response = await fetch(`${stack.api.baseUrl}${UPDATE}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${victim.jwt}` },
          body: new TextEncoder().encode('{"message":"hi"}'),
        });
        const text = await response.text();
        return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
      };
      expectInertJson(await refused(send, 415));
    });
  });

  describe('as a status message, hostile text is just text', () => {
    it.each(TEXT_PAYLOADS.map((p) => [JSON.stringify(p), p]))('stores and delivers %s verbatim and answers it only as JSON', async (_label, message) => {
      const accepted = await as(writer, 'POST', UPDATE, { body: { message, emoji: ':warning:' } });
      expect(accepted.status).toBe(202);
      expectInertJson(accepted);
      const outcome = await settled(stack, writer, accepted.body.id);
      expect(outcome).toMatchObject({ state: 'succeeded', message });

      const stored = await stack.db.query<{ message: string }>('SELECT message FROM status_updates WHERE id = $1', [accepted.body.id]);
      expect(stored.rows).toEqual([{ message }]);
      expect(stack.github.statusOf(writer.githubLogin)?.message).toBe(message);
      expect(stack.slack.profileOf(writer.slackUserId).status_text).toBe(message);

      for (const path of [`/api/v1/status/updates/${accepted.body.id}`, '/api/v1/status/current', HISTORY]) {
        const answer = await as(writer, 'GET', path);
        expect(answer.status).toBe(200);
        expectInertJson(answer);
        // Escaped only as JSON escapes it; never HTML-encoded, never altered.
        expect(answer.text).toContain(JSON.stringify(message));
      }
      // The users table is still there, and so is everyone in it.
      expect(Number((await stack.db.query('SELECT count(*) AS n FROM users WHERE subject = ANY($1)', [[victim.subject, writer.subject]])).rows[0].n)).toBe(2);
    });

    it.each(TEXT_PAYLOADS.map((p) => [JSON.stringify(p), p]))('accepts %s as a preset message override, verbatim', async (_label, message) => {
      const accepted = await as(writer, 'POST', PRESET, { body: { message } });
      expect(accepted.status).toBe(202);
      expect(await settled(stack, writer, accepted.body.id)).toMatchObject({ state: 'succeeded', message });
    });

    it('accepts printable Idempotency-Keys that look hostile, and replays them exactly', async () => {
      for (const key of HEADER_PAYLOADS.filter((p) => !p.includes(' '))) {
        const first = await as(writer, 'POST', UPDATE, { body: { message: 'keyed' }, headers: { 'idempotency-key': key } });
        expect(first.status).toBe(202);
        await settled(stack, writer, first.body.id);
        const stored = await stack.db.query<{ idempotency_key: string }>('SELECT idempotency_key FROM status_updates WHERE id = $1', [first.body.id]);
        expect(stored.rows).toEqual([{ idempotency_key: key }]);
        const replay = await as(writer, 'POST', UPDATE, { body: { message: 'keyed' }, headers: { 'idempotency-key': key } });
        expect({ status: replay.status, id: replay.body.id, replayed: replay.headers.get('idempotent-replayed') }).toEqual({ status: 202, id: first.body.id, replayed: 'true' });
      }
    });
  });

  it('left the refused user without a single update or delivery', async () => {
    const { rows } = await stack.db.query<{ updates: string; deliveries: string }>(
      `SELECT (SELECT count(*) FROM status_updates u WHERE u.user_id = users.id) AS updates,
              (SELECT count(*) FROM status_deliveries d WHERE d.user_id = users.id) AS deliveries
         FROM users WHERE subject = $1`,
      [victim.subject],
    );
    expect(rows).toEqual([{ updates: '0', deliveries: '0' }]);
    expect(stack.github.mutations(victim.githubLogin)).toEqual([]);
    expect(stack.slack.profileWrites(victim.slackUserId)).toEqual([]);
  });
});
