import {
  ErrorCode,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  WebClientOptions,
} from '@slack/web-api';
import { SlackFake } from './slack-fake';

const USER = 'U0ALICE';

async function rejection<T = unknown>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (err) {
    return err as T;
  }
  throw new Error('expected the call to fail');
}

async function platformError(promise: Promise<unknown>): Promise<WebAPIPlatformError> {
  const err = await rejection<WebAPIPlatformError>(promise);
  expect(err).toBeInstanceOf(WebAPIPlatformError);
  return err;
}

describe('SlackFake', () => {
  let fake: SlackFake;
  const client = (token: string | undefined, extra: WebClientOptions = {}) =>
    new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR, ...extra });
  let alice: WebClient;

  beforeAll(async () => {
    fake = await SlackFake.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.clearTokens();
    fake.addToken('xoxp-alice', { userId: USER, name: 'alice', teamId: 'T0TEAM' });
    alice = client('xoxp-alice');
  });

  describe('users.profile.set / users.profile.get', () => {
    it('stores a status sent by WebClient (form body) and reads it back', async () => {
      const set = await alice.users.profile.set({ profile: { status_text: 'In a meeting', status_emoji: ':calendar:', status_expiration: 4102444800 } });
      expect(set.ok).toBe(true);
      expect(set.profile).toMatchObject({ status_text: 'In a meeting', status_emoji: ':calendar:', status_expiration: 4102444800, real_name: 'alice' });
      expect(fake.profileOf(USER)).toEqual({ status_text: 'In a meeting', status_emoji: ':calendar:', status_expiration: 4102444800 });

      const got = await alice.users.profile.get({});
      expect(got.profile).toMatchObject({ status_text: 'In a meeting', status_emoji: ':calendar:', status_expiration: 4102444800 });

      const writes = fake.profileWrites(USER);
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatchObject({ method: 'users.profile.set', token: 'xoxp-alice', contentType: 'application/x-www-form-urlencoded', userId: USER });
      expect(typeof writes[0].params.profile).toBe('string');
      expect(writes[0].profile).toEqual({ status_text: 'In a meeting', status_emoji: ':calendar:', status_expiration: 4102444800 });
      expect(fake.profileWrites('U0OTHER')).toHaveLength(0);
    });

    it('accepts a JSON body with the token in the Authorization header only', async () => {
      const post = (body: unknown, headers: Record<string, string>) =>
        fetch(`${fake.apiUrl}users.profile.set`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });
      const ok = await post({ profile: { status_text: 'Lunch', status_emoji: ':hamburger:', status_expiration: 0 } }, { authorization: 'Bearer xoxp-alice' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ ok: true, profile: { status_text: 'Lunch', status_emoji: ':hamburger:' } });
      expect(fake.requests[0].contentType).toBe('application/json');

      const tokenInBody = await post({ token: 'xoxp-alice', profile: { status_text: 'x' } }, {});
      expect(await tokenInBody.json()).toEqual({ ok: false, error: 'not_authed' });
      const broken = await fetch(`${fake.apiUrl}users.profile.set`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer xoxp-alice' }, body: '{' });
      expect(await broken.json()).toEqual({ ok: false, error: 'invalid_json' });
    });

    it('accepts the token as a form parameter', async () => {
      const res = await fetch(`${fake.apiUrl}users.profile.get`, { method: 'POST', body: new URLSearchParams({ token: 'xoxp-alice' }) });
      expect(await res.json()).toMatchObject({ ok: true, profile: { status_text: '' } });
    });

    it('refuses a status_text over 100 characters with too_long', async () => {
      const err = await platformError(alice.users.profile.set({ profile: { status_text: 'x'.repeat(101), status_emoji: ':coffee:' } }));
      expect(err.data.error).toBe('too_long');
      expect(fake.profileOf(USER).status_text).toBe('');
      await alice.users.profile.set({ profile: { status_text: 'x'.repeat(100), status_emoji: ':coffee:' } });
      expect(fake.profileOf(USER).status_text).toHaveLength(100);
    });

    it('refuses an emoji the workspace does not have', async () => {
      const err = await platformError(alice.users.profile.set({ profile: { status_text: 'x', status_emoji: ':not_an_emoji:' } }));
      expect(err.data.error).toBe('profile_set_failed');
      const bare = await platformError(alice.users.profile.set({ profile: { status_text: 'x', status_emoji: 'coffee' } }));
      expect(bare.data.error).toBe('profile_set_failed');
      expect(fake.profileOf(USER)).toEqual({ status_text: '', status_emoji: '', status_expiration: 0 });
      expect(fake.profileWrites()).toHaveLength(0);
    });

    it('uses a configured emoji list and error code', async () => {
      const custom = await SlackFake.start({ emoji: ['party-parrot', ':shipit:'], unknownEmojiError: 'invalid_emoji_not_allowed' });
      try {
        custom.addToken('xoxp-x', { userId: 'UX' });
        const c = new WebClient('xoxp-x', { slackApiUrl: custom.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
        await c.users.profile.set({ profile: { status_text: 'ship', status_emoji: ':shipit:' } });
        await c.users.profile.set({ profile: { status_emoji: ':party-parrot:' } });
        expect(custom.profileOf('UX').status_emoji).toBe(':party-parrot:');
        const err = await platformError(c.users.profile.set({ profile: { status_emoji: ':coffee:' } }));
        expect(err.data.error).toBe('invalid_emoji_not_allowed');
      } finally {
        await custom.close();
      }
    });

    it('validates status_expiration and the profile JSON', async () => {
      await alice.users.profile.set({ profile: { status_text: 'x', status_emoji: ':zzz:', status_expiration: '4102444800' } as never });
      expect(fake.profileOf(USER).status_expiration).toBe(4102444800);
      const frac = await platformError(alice.users.profile.set({ profile: { status_text: 'x', status_expiration: 12.5 } }));
      expect(frac.data.error).toBe('invalid_profile');
      const word = await platformError(alice.users.profile.set({ profile: { status_text: 'x', status_expiration: 'soon' } as never }));
      expect(word.data.error).toBe('invalid_profile');
      const malformed = await fetch(`${fake.apiUrl}users.profile.set`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxp-alice' },
        body: new URLSearchParams({ profile: '{"status_text": "unterminated' }),
      });
      expect(await malformed.json()).toEqual({ ok: false, error: 'invalid_profile' });
      const array = await platformError(alice.apiCall('users.profile.set', { profile: '[1,2]' }));
      expect(array.data.error).toBe('invalid_profile');
    });

    it('clears with empty text and emoji, and defaults the emoji to :speech_balloon:', async () => {
      const textOnly = await alice.users.profile.set({ profile: { status_text: 'Thinking', status_emoji: '' } });
      expect(textOnly.profile?.status_emoji).toBe(':speech_balloon:');
      expect(fake.profileOf(USER)).toEqual({ status_text: 'Thinking', status_emoji: ':speech_balloon:', status_expiration: 0 });

      await alice.users.profile.set({ profile: { status_text: 'Away', status_emoji: ':palm_tree:', status_expiration: 4102444800 } });
      const cleared = await alice.users.profile.set({ profile: { status_text: '', status_emoji: '' } });
      expect(cleared.profile).toMatchObject({ status_text: '', status_emoji: '', status_expiration: 0 });
      expect(fake.profileOf(USER)).toEqual({ status_text: '', status_emoji: '', status_expiration: 0 });

      await alice.users.profile.set({ name: 'status_text', value: 'single field' });
      expect(fake.profileOf(USER).status_text).toBe('single field');
    });

    it('applies status_expiration on reads', async () => {
      await alice.users.profile.set({ profile: { status_text: 'Old', status_emoji: ':coffee:', status_expiration: Math.floor(Date.now() / 1000) - 5 } });
      expect(fake.profileOf(USER)).toEqual({ status_text: '', status_emoji: '', status_expiration: 0 });
      const got = await alice.users.profile.get({});
      expect(got.profile).toMatchObject({ status_text: '', status_emoji: '' });

      let now = Date.parse('2030-01-01T09:00:00Z');
      const clocked = await SlackFake.start({ now: () => now });
      try {
        clocked.addToken('xoxp-c', { userId: 'UC' });
        const c = new WebClient('xoxp-c', { slackApiUrl: clocked.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
        await c.users.profile.set({ profile: { status_text: 'Lunch', status_emoji: ':hamburger:', status_expiration: Date.parse('2030-01-01T10:00:00Z') / 1000 } });
        expect(clocked.profileOf('UC').status_text).toBe('Lunch');
        now = Date.parse('2030-01-01T10:00:00Z');
        expect(clocked.profileOf('UC').status_text).toBe('');
      } finally {
        await clocked.close();
      }
    });

    it('reads other users and refuses to write them', async () => {
      fake.addToken('xoxp-bob', { userId: 'U0BOB', name: 'bob' });
      fake.setProfile('U0BOB', { status_text: 'Bob busy', status_emoji: ':no_entry:' });
      const other = await alice.users.profile.get({ user: 'U0BOB' });
      expect(other.profile?.status_text).toBe('Bob busy');
      expect((await platformError(alice.users.profile.get({ user: 'U0NOPE' }))).data.error).toBe('user_not_found');
      expect((await platformError(alice.users.profile.set({ user: 'U0BOB', profile: { status_text: 'hijack' } }))).data.error).toBe('not_admin');
    });
  });

  describe('authentication and scopes', () => {
    it('not_authed / invalid_auth / token_revoked / account_inactive', async () => {
      expect((await platformError(client(undefined).auth.test())).data.error).toBe('not_authed');
      expect((await platformError(client('xoxp-unknown').auth.test())).data.error).toBe('invalid_auth');
      fake.revokeToken('xoxp-alice');
      expect((await platformError(alice.users.profile.get({}))).data.error).toBe('token_revoked');
      fake.addToken('xoxp-alice', { userId: USER });
      fake.deactivate(USER);
      expect((await platformError(alice.users.profile.set({ profile: { status_text: 'x' } }))).data.error).toBe('account_inactive');
      expect(fake.profileWrites()).toHaveLength(0);
      fake.reset();
      await expect(alice.auth.test()).resolves.toMatchObject({ ok: true });
    });

    it('refuses bot tokens on profile methods but answers auth.test', async () => {
      fake.addToken('xoxb-bot', { userId: 'B0BOT', name: 'statusbot', scopes: ['users.profile:write', 'users.profile:read'] });
      const bot = client('xoxb-bot');
      expect((await platformError(bot.users.profile.set({ profile: { status_text: 'x' } }))).data.error).toBe('not_allowed_token_type');
      expect((await platformError(bot.users.profile.get({}))).data.error).toBe('not_allowed_token_type');
      await expect(bot.auth.test()).resolves.toMatchObject({ ok: true, user_id: 'B0BOT', user: 'statusbot' });
    });

    it('answers missing_scope with needed and provided', async () => {
      fake.addToken('xoxp-ro', { userId: 'U0RO', scopes: ['users.profile:read', 'users:read'] });
      const err = await platformError(client('xoxp-ro').users.profile.set({ profile: { status_text: 'x' } }));
      expect(err.data).toMatchObject({ ok: false, error: 'missing_scope', needed: 'users.profile:write', provided: 'users.profile:read,users:read' });
      expect(err.data.response_metadata).toMatchObject({ scopes: ['users.profile:read', 'users:read'], acceptedScopes: ['users.profile:write'] });
    });

    it('auth.test describes the token owner', async () => {
      await expect(alice.auth.test()).resolves.toMatchObject({ ok: true, user: 'alice', user_id: USER, team_id: 'T0TEAM', team: 'Fake Workspace', url: 'https://fake-workspace.slack.com/' });
    });

    it('accepts any xoxp- token when acceptAnyToken is set', async () => {
      const open = await SlackFake.start({ acceptAnyToken: true });
      try {
        const c = new WebClient('xoxp-jo-42', { slackApiUrl: open.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
        await expect(c.auth.test()).resolves.toMatchObject({ user_id: 'UJO42', user: 'jo-42' });
        await c.users.profile.set({ profile: { status_text: 'hi', status_emoji: ':wave:' } });
        expect(open.profileOf('UJO42').status_text).toBe('hi');
        const bad = new WebClient('xoxb-jo', { slackApiUrl: open.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
        expect((await platformError(bad.auth.test())).data.error).toBe('invalid_auth');
      } finally {
        await open.close();
      }
    });

    it('answers unknown_method', async () => {
      expect((await platformError(alice.apiCall('users.profile.teleport'))).data.error).toBe('unknown_method');
    });
  });

  describe('rate limits', () => {
    it('the 11th profile write within a minute gets HTTP 429 with Retry-After', async () => {
      for (let i = 0; i < 10; i += 1) await alice.users.profile.set({ profile: { status_text: `n${i}`, status_emoji: ':coffee:' } });
      const err = await rejection<WebAPIRateLimitedError>(alice.users.profile.set({ profile: { status_text: 'n10', status_emoji: ':coffee:' } }));
      expect(err).toBeInstanceOf(WebAPIRateLimitedError);
      expect(err.code).toBe(ErrorCode.RateLimitedError);
      expect(err.retryAfter).toBeGreaterThanOrEqual(59);
      expect(err.retryAfter).toBeLessThanOrEqual(60);
      expect(fake.profileOf(USER).status_text).toBe('n9');
      expect(fake.profileWrites(USER)).toHaveLength(10);
      expect(fake.requests.at(-1)).toMatchObject({ responseStatus: 429, responseBody: { ok: false, error: 'ratelimited' } });
      // the limit is per token+user: another user's token is unaffected, reads are unaffected
      fake.addToken('xoxp-bob', { userId: 'U0BOB' });
      await expect(client('xoxp-bob').users.profile.set({ profile: { status_text: 'b' } })).resolves.toMatchObject({ ok: true });
      await expect(alice.users.profile.get({})).resolves.toMatchObject({ ok: true });
    });

    it('frees a slot when the oldest write leaves the sliding window', async () => {
      const quick = await SlackFake.start({ profileWritesPerMinute: 2, profileWriteWindowMs: 300 });
      try {
        quick.addToken('xoxp-q', { userId: 'UQ' });
        const c = new WebClient('xoxp-q', { slackApiUrl: quick.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
        await c.users.profile.set({ profile: { status_text: '1' } });
        await c.users.profile.set({ profile: { status_text: '2' } });
        const err = await rejection<WebAPIRateLimitedError>(c.users.profile.set({ profile: { status_text: '3' } }));
        expect(err.retryAfter).toBe(1);
        await new Promise((r) => setTimeout(r, 320));
        await expect(c.users.profile.set({ profile: { status_text: '3' } })).resolves.toMatchObject({ ok: true });
      } finally {
        await quick.close();
      }
    });

    it('profileWritesPerMinute: 0 disables the limit', async () => {
      const open = await SlackFake.start({ profileWritesPerMinute: 0 });
      try {
        open.addToken('xoxp-o', { userId: 'UO' });
        const c = new WebClient('xoxp-o', { slackApiUrl: open.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
        for (let i = 0; i < 15; i += 1) await c.users.profile.set({ profile: { status_text: `${i}` } });
        expect(open.profileWrites('UO')).toHaveLength(15);
      } finally {
        await open.close();
      }
    });
  });

  describe('failure modes', () => {
    it('ratelimited: 429 with Retry-After → WebAPIRateLimitedError', async () => {
      fake.failNext('ratelimited', 1, { retryAfterSeconds: 5 });
      const err = await rejection<WebAPIRateLimitedError>(alice.users.profile.set({ profile: { status_text: 'x' } }));
      expect(err).toBeInstanceOf(WebAPIRateLimitedError);
      expect(err.retryAfter).toBe(5);
      expect(fake.profileOf(USER).status_text).toBe('');
      expect(fake.requests[0].failure).toBe('ratelimited');
    });

    it('ratelimited_no_retry_after: 429 without the header; the SDK aborts with a plain error', async () => {
      fake.failNext('ratelimited_no_retry_after');
      const raw = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxp-alice' } });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toBeNull();
      fake.failNext('ratelimited_no_retry_after');
      const err = await rejection<Error>(alice.users.profile.set({ profile: { status_text: 'x' } }));
      expect(err).not.toBeInstanceOf(WebAPIRateLimitedError);
      expect(err.message).toContain('Retry header did not contain a valid timeout');
    });

    it('server_error: HTTP 500 → WebAPIHTTPError', async () => {
      fake.failNext('server_error');
      const err = await rejection<WebAPIHTTPError>(alice.users.profile.set({ profile: { status_text: 'x' } }));
      expect(err).toBeInstanceOf(WebAPIHTTPError);
      expect(err.statusCode).toBe(500);
      expect(fake.profileWrites()).toHaveLength(0);
    });

    it('invalid_auth and token_revoked on demand', async () => {
      fake.failNext('invalid_auth');
      fake.failNext('token_revoked');
      expect((await platformError(alice.users.profile.get({}))).data.error).toBe('invalid_auth');
      expect((await platformError(alice.users.profile.get({}))).data.error).toBe('token_revoked');
      await expect(alice.users.profile.get({})).resolves.toMatchObject({ ok: true });
    });

    it('slow: answers normally after delayMs, or trips the client timeout', async () => {
      fake.failNext('slow', 1, { delayMs: 150 });
      const started = Date.now();
      await expect(alice.users.profile.set({ profile: { status_text: 'late' } })).resolves.toMatchObject({ ok: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);

      fake.failNext('slow', 1, { delayMs: 400 });
      const err = await rejection<WebAPIRequestError>(client('xoxp-alice', { timeout: 50 }).auth.test());
      expect(err).toBeInstanceOf(WebAPIRequestError);
    });

    it('delays every answer by the configured latency; reset() restores it', async () => {
      fake.setLatency(120);
      const started = Date.now();
      await alice.auth.test();
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      fake.reset();
      const again = Date.now();
      await alice.auth.test();
      expect(Date.now() - again).toBeLessThan(100);
    });
  });

  describe('presence and DND', () => {
    it('users.setPresence accepts only auto|away; dnd snooze and end', async () => {
      fake.addToken('xoxp-full', { userId: 'U0FULL', scopes: ['users:write', 'users:read', 'dnd:write', 'dnd:read'] });
      const c = client('xoxp-full');
      await c.users.setPresence({ presence: 'away' });
      expect(fake.presenceOf('U0FULL')).toBe('away');
      await expect(c.users.getPresence({})).resolves.toMatchObject({ presence: 'away', manual_away: true });
      expect((await platformError(c.users.setPresence({ presence: 'active' as never }))).data.error).toBe('invalid_presence');
      expect((await platformError(c.dnd.setSnooze({ num_minutes: 0 }))).data.error).toBe('missing_duration');
      expect((await platformError(c.dnd.endSnooze())).data.error).toBe('snooze_not_active');
      const snoozed = await c.dnd.setSnooze({ num_minutes: 30 });
      expect(snoozed).toMatchObject({ ok: true, snooze_enabled: true });
      expect(fake.snoozeEndOf('U0FULL')).toBeGreaterThan(Date.now() / 1000 + 1790);
      await expect(c.dnd.info()).resolves.toMatchObject({ snooze_enabled: true });
      await c.dnd.endSnooze();
      expect(fake.snoozeEndOf('U0FULL')).toBe(0);
      expect((await platformError(alice.users.setPresence({ presence: 'away' }))).data.error).toBe('missing_scope');
    });
  });

  describe('HTTP control routes', () => {
    it('adds tokens, queues failures, deactivates, seeds profiles and reports state', async () => {
      const control = (path: string, body?: unknown) =>
        fetch(`${fake.url}/_fake/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
      expect((await control('tokens', { token: 'xoxp-http', userId: 'U0HTTP', name: 'hal' })).status).toBe(200);
      expect((await control('tokens', { token: 'xoxp-bad' })).status).toBe(400);
      const hal = client('xoxp-http');
      await control('fail', { mode: 'ratelimited', retryAfterSeconds: 2 });
      expect((await rejection<WebAPIRateLimitedError>(hal.auth.test())).retryAfter).toBe(2);
      await control('profile', { userId: 'U0HTTP', status_text: 'seeded', status_emoji: ':zap:' });
      await expect(hal.users.profile.get({})).resolves.toMatchObject({ profile: { status_text: 'seeded', status_emoji: ':zap:' } });
      await control('deactivate', { userId: 'U0HTTP' });
      expect((await platformError(hal.auth.test())).data.error).toBe('account_inactive');
      const state = await control('state');
      expect(state.json.users).toEqual(expect.arrayContaining([expect.objectContaining({ userId: 'U0HTTP', deactivated: true, profile: expect.objectContaining({ status_text: 'seeded' }) })]));
      expect((await control('requests')).json).toHaveLength(3);
      await control('revoke', { token: 'xoxp-http' });
      await control('reset', {});
      expect((await platformError(hal.auth.test())).data.error).toBe('token_revoked');
      await control('clear-tokens', {});
      expect((await platformError(alice.auth.test())).data.error).toBe('invalid_auth');
      // API paths are not control paths and vice versa
      expect((await fetch(`${fake.url}/_fake/auth.test`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${fake.url}/api/_fake/reset`, { method: 'POST' })).status).toBe(404);
    });
  });
});
