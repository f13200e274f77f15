import { SlackFake } from '../../../../test/fakes/slack-fake';
import { approveAt } from '../../../../test/support/oauth-browser';
import { platformFailure } from '../../../../test/support/platform-failure';
import { PlatformAuthError, PlatformRateLimitError, PlatformUnavailableError } from '../platform-errors';
import { SlackAdapter } from './slack.adapter';
import { SlackOAuthProvider, SlackOAuthSettings } from './slack.oauth';

const PLAIN = { clientId: '111.222', clientSecret: 'plain-secret' };
const ROTATING = { clientId: '333.444', clientSecret: 'rotating-secret', tokenRotation: true };
const REDIRECT = 'https://statusync.example/api/v1/oauth/slack/callback';
const NO_PKCE = { codeChallenge: 'ignored-by-slack', codeVerifier: 'ignored-by-slack' };

describe('SlackOAuthProvider against the Slack fake', () => {
  let fake: SlackFake;
  let now = Date.now();
  const provider = (client: { clientId: string; clientSecret: string }, extra: Partial<SlackOAuthSettings> = {}) =>
    new SlackOAuthProvider(
      { url: fake.url, apiUrl: fake.apiUrl, clientId: client.clientId, clientSecret: client.clientSecret, timeoutMs: 2_000, ...extra },
      new SlackAdapter({ apiUrl: fake.apiUrl, timeoutMs: 2_000 }),
      () => now,
    );
  const codeFor = async (p: SlackOAuthProvider, extra: Record<string, string> = {}) =>
    (await approveAt(p.authorizeUrl({ state: 'st', redirectUri: REDIRECT, codeChallenge: NO_PKCE.codeChallenge }), extra)).code!;

  beforeAll(async () => {
    fake = await SlackFake.start({ teamName: 'Acme', oauthClients: [PLAIN, ROTATING], oauthTokenLifetimeSeconds: 3600, now: () => now });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    now = Date.now();
    fake.reset();
    fake.oauthLoginAs('U0ALICE', { name: 'alice' });
  });

  it('asks for the user scopes of a status (and extra ones when configured), without bot scopes', () => {
    const url = new URL(provider(PLAIN).authorizeUrl({ state: 'the-state', redirectUri: REDIRECT, codeChallenge: 'x' }));
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/oauth/v2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: PLAIN.clientId,
      user_scope: 'users.profile:write,users.profile:read',
      redirect_uri: REDIRECT,
      state: 'the-state',
    });
    const dnd = new URL(provider(PLAIN, { extraUserScopes: ['dnd:write'] }).authorizeUrl({ state: 's', redirectUri: REDIRECT, codeChallenge: 'x' }));
    expect(dnd.searchParams.get('user_scope')).toBe('users.profile:write,users.profile:read,dnd:write');
  });

  it('exchanges a code for a user token that does not expire when rotation is off', async () => {
    const p = provider(PLAIN);
    const grant = await p.exchange({ code: await codeFor(p), redirectUri: REDIRECT, codeVerifier: NO_PKCE.codeVerifier });
    expect(grant).toEqual({
      accessToken: expect.stringMatching(/^xoxp-/),
      refreshToken: null,
      expiresAt: null,
      scopes: ['users.profile:write', 'users.profile:read'],
      account: { accountId: 'U0ALICE', accountName: 'alice@Acme' },
    });
  });

  it('with rotation: keeps the refresh token and the expiry, and refresh() returns the next pair once', async () => {
    const p = provider(ROTATING);
    const grant = await p.exchange({ code: await codeFor(p), redirectUri: REDIRECT, codeVerifier: NO_PKCE.codeVerifier });
    expect(grant.refreshToken).toMatch(/^xoxe-/);
    expect(grant.expiresAt).toEqual(new Date(now + 3600_000));

    now += 3600_000;
    const next = await p.refresh(grant.refreshToken!);
    expect(next).toEqual({
      accessToken: expect.stringMatching(/^xoxe\.xoxp-/),
      refreshToken: expect.stringMatching(/^xoxe-/),
      expiresAt: new Date(now + 3600_000),
      scopes: ['users.profile:write', 'users.profile:read'],
    });
    expect(next.accessToken).not.toBe(grant.accessToken);
    await expect(new SlackAdapter({ apiUrl: fake.apiUrl, timeoutMs: 2_000 }).verify(next.accessToken)).resolves.toMatchObject({ accountId: 'U0ALICE' });

    const reused = await platformFailure(p.refresh(grant.refreshToken!), PlatformAuthError, 'slack');
    expect(reused.code).toBe('invalid_refresh_token');
  });

  it.each([
    ['a used code', 'invalid_code'],
    ['another redirect URI', 'bad_redirect_uri'],
    ['a wrong client secret', 'bad_client_secret'],
    ['an unknown client', 'invalid_client_id'],
  ])('refuses %s for good with Slack error code', async (what, code) => {
    const p = provider(PLAIN);
    const exchange = { code: await codeFor(p), redirectUri: REDIRECT, codeVerifier: NO_PKCE.codeVerifier };
    let caller = p;
    if (what === 'a used code') await p.exchange(exchange);
    if (what === 'another redirect URI') exchange.redirectUri = 'https://evil.example/cb';
    if (what === 'a wrong client secret') caller = provider({ ...PLAIN, clientSecret: 'wrong' });
    if (what === 'an unknown client') caller = provider({ clientId: '9.9', clientSecret: 'x' });
    const error = await platformFailure(caller.exchange(exchange), PlatformAuthError, 'slack');
    expect(error.code).toBe(code);
    expect(error.permanent).toBe(true);
  });

  it('refuses a grant without users.profile:write', async () => {
    fake.oauthLoginAs('U0ALICE', { grantScopes: ['users.profile:read'] });
    const p = provider(PLAIN);
    expect((await platformFailure(p.exchange({ code: await codeFor(p), redirectUri: REDIRECT, codeVerifier: 'v' }), PlatformAuthError, 'slack')).code).toBe('missing_scope');
  });

  it('keeps rate limits and Slack outages transient', async () => {
    const p = provider(PLAIN);
    const code = await codeFor(p);
    // The fake's canned failures hit token-authenticated calls: here the account check (auth.test) after the exchange.
    fake.failNext('ratelimited', 1, { retryAfterSeconds: 3 });
    const limited = await platformFailure(p.exchange({ code, redirectUri: REDIRECT, codeVerifier: 'v' }), PlatformRateLimitError, 'slack');
    expect(limited.retryAfterMs).toBe(3000);

    const down = new SlackOAuthProvider(
      { url: fake.url, apiUrl: 'http://127.0.0.1:9/api/', clientId: PLAIN.clientId, clientSecret: PLAIN.clientSecret, timeoutMs: 1_000 },
      new SlackAdapter({ apiUrl: fake.apiUrl, timeoutMs: 2_000 }),
    );
    await platformFailure(down.refresh('xoxe-1-whatever'), PlatformUnavailableError, 'slack');
  });
});
