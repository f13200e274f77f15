import { SlackFake } from '../../../../test/fakes/slack-fake';
import { SlackTokenMethod, slackUserMethods } from '../../../../test/fakes/slack-methods';
import { platformFailure } from '../../../../test/support/platform-failure';
import { StatusToApply } from '../platform-adapter';
import { PlatformAuthError, PlatformError, PlatformInputError, PlatformRateLimitError, PlatformUnavailableError } from '../platform-errors';
import { SlackAdapter } from './slack.adapter';

const USER = 'U0ALICE';
const TOKEN = 'xoxp-alice';
const BOT_TOKEN = 'xoxb-statusbot';
const EXPIRES = new Date(Date.UTC(2099, 0, 2, 10, 30, 45, 900));
const FULL: StatusToApply = { emoji: ':calendar:', message: 'In a meeting', limitedAvailability: true, expiresAt: EXPIRES };

const failure = <E extends PlatformError>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E) =>
  platformFailure(promise, type, 'slack');

describe('SlackAdapter against the Slack fake', () => {
  let fake: SlackFake;
  let adapter: SlackAdapter;

  beforeAll(async () => {
    fake = await SlackFake.start({ teamName: 'Acme', profileWritesPerMinute: 0 });
    // Real auth.test names the bot (bot_id) when called with a bot token; the fake's table is extended the same way.
    const authTest = slackUserMethods()['auth.test'] as SlackTokenMethod;
    fake.addMethods({
      'auth.test': { ...authTest, handle: (ctx) => ({ ...authTest.handle(ctx), ...(ctx.token.startsWith('xoxb-') ? { bot_id: 'B0BOT' } : {}) }) },
    });
    adapter = new SlackAdapter({ apiUrl: fake.apiUrl, timeoutMs: 2_000 });
  });
  afterAll(() => fake.close());

  beforeEach(() => {
    fake.reset();
    fake.clearTokens();
    fake.addToken(TOKEN, { userId: USER, name: 'alice', teamId: 'T0ACME' });
  });

  describe('Do Not Disturb (focus time)', () => {
    const DND = 'xoxp-dnd';
    beforeEach(() => fake.addToken(DND, { userId: 'U0DND', scopes: ['users.profile:write', 'users.profile:read', 'dnd:write'] }));

    it('snoozes for whole minutes and ends the snooze; ending none is `not-active`, not an error', async () => {
      await adapter.snooze(DND, 25);
      expect(fake.snoozeEndOf('U0DND')).toBeGreaterThan(Date.now() / 1000 + 24 * 60);
      await expect(adapter.endSnooze(DND)).resolves.toBe('ended');
      expect(fake.snoozeEndOf('U0DND')).toBe(0);
      await expect(adapter.endSnooze(DND)).resolves.toBe('not-active');
    });

    it('a token without dnd:write is an auth error (missing_scope); Slack\'s snooze_failed is transient', async () => {
      expect((await failure(adapter.snooze(TOKEN, 5), PlatformAuthError)).code).toBe('missing_scope');
      const original = slackUserMethods()['dnd.setSnooze'];
      fake.addMethods({ 'dnd.setSnooze': { ...(original as SlackTokenMethod), handle: () => ({ ok: false, error: 'snooze_failed' }) } });
      try {
        expect((await failure(adapter.snooze(DND, 5), PlatformUnavailableError)).code).toBe('snooze_failed');
      } finally {
        fake.addMethods({ 'dnd.setSnooze': original });
      }
    });
  });

  describe('verify', () => {
    it('names the account user@team and returns the user id', async () => {
      await expect(adapter.verify(TOKEN)).resolves.toEqual({ accountName: 'alice@Acme', accountId: USER });
      expect(fake.requests).toEqual([expect.objectContaining({ method: 'auth.test', token: TOKEN, responseStatus: 200 })]);
    });

    it('refuses a bot token: on verify (user_is_bot) and on a status write (not_allowed_token_type)', async () => {
      fake.addToken(BOT_TOKEN, { userId: 'U0BOT', name: 'statusbot' });

      const onVerify = await failure(adapter.verify(BOT_TOKEN), PlatformAuthError);
      expect(onVerify.code).toBe('user_is_bot');

      const onWrite = await failure(adapter.setStatus(BOT_TOKEN, FULL), PlatformAuthError);
      expect(onWrite.code).toBe('not_allowed_token_type');
      expect(fake.profileOf('U0BOT').status_text).toBe('');
    });

    it('refuses a token without users.profile:write (missing_scope), before and at the write', async () => {
      fake.addToken('xoxp-readonly', { userId: 'U0READ', scopes: ['users.profile:read'] });

      expect((await failure(adapter.verify('xoxp-readonly'), PlatformAuthError)).code).toBe('missing_scope');
      expect((await failure(adapter.setStatus('xoxp-readonly', FULL), PlatformAuthError)).code).toBe('missing_scope');
    });

    it.each([
      ['invalid_auth', () => 'xoxp-unknown'],
      ['token_revoked', () => (fake.revokeToken(TOKEN), TOKEN)],
      ['account_inactive', () => (fake.deactivate(USER), TOKEN)],
    ])('maps %s to a permanent PlatformAuthError with that code', async (code, arrange) => {
      const token = arrange();
      const error = await failure(adapter.verify(token), PlatformAuthError);
      expect(error.code).toBe(code);
      expect(error.permanent).toBe(true);
      expect((await failure(adapter.clearStatus(token), PlatformAuthError)).code).toBe(code);
    });
  });

  describe('setStatus / clearStatus', () => {
    it('writes status_text, status_emoji and status_expiration in whole seconds', async () => {
      await adapter.setStatus(TOKEN, FULL);

      const writes = fake.profileWrites(USER);
      expect(writes).toHaveLength(1);
      expect(writes[0].profile).toEqual({ status_text: 'In a meeting', status_emoji: ':calendar:', status_expiration: Math.floor(EXPIRES.getTime() / 1000) });
      expect(fake.profileOf(USER)).toEqual({ status_text: 'In a meeting', status_emoji: ':calendar:', status_expiration: 4071033045 });
    });

    it('one adapter (one client) serves many users at once: each write goes out with its own token', async () => {
      const others = Array.from({ length: 6 }, (_, i) => ({ user: `U0USER${i}`, token: `xoxp-user-${i}` }));
      for (const { user, token } of others) fake.addToken(token, { userId: user });

      await Promise.all(others.map(({ token }, i) => adapter.setStatus(token, { ...FULL, message: `status ${i}` })));

      others.forEach(({ user }, i) => expect(fake.profileOf(user).status_text).toBe(`status ${i}`));
      expect(fake.profileWrites(USER)).toHaveLength(0);
      // A write without a token of its own is refused, not sent with a token left over from another call.
      expect((await failure(adapter.setStatus('', FULL), PlatformAuthError)).code).toBe('not_authed');
    });

    it("goes through the platform fetch (node:http, keep-alive), not Node's built-in fetch", async () => {
      // Spied before the adapter is made: a client keeps the fetch it was given (or found) when it was built.
      const builtIn = jest.spyOn(globalThis, 'fetch');
      try {
        const fresh = new SlackAdapter({ apiUrl: fake.apiUrl, timeoutMs: 2_000 });
        await fresh.setStatus(TOKEN, FULL);
        await fresh.readStatus(TOKEN);
        expect(builtIn).not.toHaveBeenCalled();
      } finally {
        builtIn.mockRestore();
      }
    });

    it('sends empty text/emoji and expiration 0 for null fields', async () => {
      await adapter.setStatus(TOKEN, { emoji: ':coffee:', message: null, limitedAvailability: false, expiresAt: null });
      expect(fake.profileWrites(USER)[0].profile).toEqual({ status_text: '', status_emoji: ':coffee:', status_expiration: 0 });
      expect(fake.profileOf(USER)).toEqual({ status_text: '', status_emoji: ':coffee:', status_expiration: 0 });
    });

    it("sends Slack's name for a Unicode emoji or another platform's name", async () => {
      await adapter.setStatus(TOKEN, { ...FULL, emoji: '🍕' });
      await adapter.setStatus(TOKEN, { ...FULL, emoji: ':spiral_calendar:' });
      expect(fake.profileWrites(USER).map((write) => write.profile?.status_emoji)).toEqual([':pizza:', ':spiral_calendar_pad:']);
    });

    it('clears by emptying text and emoji', async () => {
      fake.setProfile(USER, { status_text: 'Away', status_emoji: ':palm_tree:', status_expiration: 4102444800 });

      await adapter.clearStatus(TOKEN);

      expect(fake.profileWrites(USER)[0].profile).toEqual({ status_text: '', status_emoji: '', status_expiration: 0 });
      expect(fake.profileOf(USER)).toEqual({ status_text: '', status_emoji: '', status_expiration: 0 });
    });

    it("refuses over-long text with Slack's too_long as a permanent input error", async () => {
      const error = await failure(adapter.setStatus(TOKEN, { ...FULL, message: 'x'.repeat(101) }), PlatformInputError);
      expect(error.code).toBe('too_long');
      expect(error.permanent).toBe(true);
      expect(fake.profileOf(USER).status_text).toBe('');
    });

    it("refuses an emoji the workspace lacks with Slack's code", async () => {
      const error = await failure(adapter.setStatus(TOKEN, { ...FULL, emoji: ':no_such_emoji:' }), PlatformInputError);
      expect(error.code).toBe('profile_set_failed');
      expect(error.permanent).toBe(true);
    });
  });

  describe('rate limits', () => {
    it('429 with Retry-After: 3 → waits 3000 ms', async () => {
      fake.failNext('ratelimited', 1, { retryAfterSeconds: 3 });
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformRateLimitError);
      expect(error.retryAfterMs).toBe(3_000);
      expect(error.permanent).toBe(false);
      expect(fake.profileWrites()).toHaveLength(0);
    });

    it('429 without Retry-After → still a rate limit, with the 60 s default', async () => {
      fake.failNext('ratelimited_no_retry_after');
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformRateLimitError);
      expect(error.retryAfterMs).toBe(60_000);
      expect(error.permanent).toBe(false);
    });

    it('the per-minute profile-write limit → rate limit with the wait Slack announces', async () => {
      const limited = await SlackFake.start({ profileWritesPerMinute: 2 });
      try {
        limited.addToken(TOKEN, { userId: USER });
        const client = new SlackAdapter({ apiUrl: limited.apiUrl, timeoutMs: 2_000 });
        await client.setStatus(TOKEN, FULL);
        await client.clearStatus(TOKEN);

        const error = await failure(client.setStatus(TOKEN, FULL), PlatformRateLimitError);
        expect(error.retryAfterMs).toBeGreaterThanOrEqual(59_000);
        expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
        expect(limited.profileWrites(USER)).toHaveLength(2);
      } finally {
        await limited.close();
      }
    });
  });

  describe('unavailability', () => {
    it('HTTP 500 → transient PlatformUnavailableError', async () => {
      fake.failNext('server_error');
      const error = await failure(adapter.setStatus(TOKEN, FULL), PlatformUnavailableError);
      expect(error.code).toBe('http_500');
      expect(error.permanent).toBe(false);
    });

    it('an answer slower than timeoutMs → transient timeout', async () => {
      const quick = new SlackAdapter({ apiUrl: fake.apiUrl, timeoutMs: 200 });
      fake.failNext('slow', 1, { delayMs: 1_500 });
      const started = Date.now();
      const error = await failure(quick.setStatus(TOKEN, FULL), PlatformUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(error.code).toBe('timeout');
      expect(error.permanent).toBe(false);
    });
  });
});
