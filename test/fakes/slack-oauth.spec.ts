import { LogLevel, WebAPIPlatformError, WebClient } from '@slack/web-api';
import { SlackFake } from './slack-fake';

const PLAIN = { clientId: '111.222', clientSecret: 'plain-secret' };
const ROTATING = { clientId: '333.444', clientSecret: 'rotating-secret', tokenRotation: true };
const REDIRECT = 'https://statusync.example/api/v1/oauth/slack/callback';
const USER_SCOPE = 'users.profile:write,users.profile:read';

async function authorize(fake: SlackFake, params: Record<string, string>): Promise<Response> {
  const url = new URL('/oauth/v2/authorize', fake.url);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return fetch(url, { redirect: 'manual' });
}

async function codeFrom(fake: SlackFake, params: Record<string, string>): Promise<string> {
  const res = await authorize(fake, params);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(location.searchParams.get('state')).toBe(params.state ?? null);
  return location.searchParams.get('code')!;
}

async function slackError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WebAPIPlatformError);
  return (error as WebAPIPlatformError).data.error;
}

describe('SlackFake OAuth', () => {
  let fake: SlackFake;
  let now = Date.now();
  const client = (token?: string) => new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });

  beforeAll(async () => {
    fake = await SlackFake.start({ oauthClients: [PLAIN, ROTATING], oauthTokenLifetimeSeconds: 600, now: () => now });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    now = Date.now();
    fake.reset();
    fake.oauthLoginAs('U0ALICE', { name: 'alice' });
  });

  const base = { client_id: PLAIN.clientId, user_scope: USER_SCOPE, redirect_uri: REDIRECT, state: 'st-1' };

  it('issues a user token through oauth.v2.access (WebClient) that works on the profile methods', async () => {
    const code = await codeFrom(fake, base);
    const answer = await client().oauth.v2.access({ client_id: PLAIN.clientId, client_secret: PLAIN.clientSecret, code, redirect_uri: REDIRECT });
    expect(answer).toMatchObject({
      ok: true,
      authed_user: { id: 'U0ALICE', scope: USER_SCOPE, access_token: expect.stringMatching(/^xoxp-/), token_type: 'user' },
      team: { id: expect.any(String) },
    });
    expect(answer.authed_user).not.toHaveProperty('refresh_token');
    expect(answer).not.toHaveProperty('access_token'); // no bot scopes asked, no bot token

    const token = answer.authed_user!.access_token!;
    expect(await client(token).auth.test()).toMatchObject({ ok: true, user_id: 'U0ALICE', user: 'alice' });
    await client(token).users.profile.set({ profile: { status_text: 'via OAuth', status_emoji: ':key:' } });
    expect(fake.profileOf('U0ALICE').status_text).toBe('via OAuth');
    expect(await slackError(client(token).dnd.setSnooze({ num_minutes: 5 }))).toBe('missing_scope');
  });

  it('takes client credentials as Basic auth', async () => {
    const code = await codeFrom(fake, base);
    const res = await fetch(`${fake.apiUrl}oauth.v2.access`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${PLAIN.clientId}:${PLAIN.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ code, redirect_uri: REDIRECT }),
    });
    expect(await res.json()).toMatchObject({ ok: true, authed_user: { id: 'U0ALICE' } });
  });

  it('accepts a code once, for its own client, within 10 minutes, with the same redirect_uri', async () => {
    const creds = { client_id: PLAIN.clientId, client_secret: PLAIN.clientSecret, redirect_uri: REDIRECT };
    const code = await codeFrom(fake, base);
    await client().oauth.v2.access({ ...creds, code });
    expect(await slackError(client().oauth.v2.access({ ...creds, code }))).toBe('invalid_code');

    const expiring = await codeFrom(fake, base);
    now += 10 * 60_000;
    expect(await slackError(client().oauth.v2.access({ ...creds, code: expiring }))).toBe('invalid_code');

    const elsewhere = await codeFrom(fake, base);
    expect(await slackError(client().oauth.v2.access({ ...creds, code: elsewhere, redirect_uri: 'https://evil.example/cb' }))).toBe('bad_redirect_uri');
    expect(await slackError(client().oauth.v2.access({ ...creds, code: elsewhere }))).toBe('invalid_code'); // burnt by the attempt

    const foreign = await codeFrom(fake, base);
    expect(await slackError(client().oauth.v2.access({ client_id: ROTATING.clientId, client_secret: ROTATING.clientSecret, code: foreign, redirect_uri: REDIRECT }))).toBe('invalid_code');
    expect(await slackError(client().oauth.v2.access({ ...creds, client_id: '999.999', code: foreign }))).toBe('invalid_client_id');
    expect(await slackError(client().oauth.v2.access({ ...creds, client_secret: 'wrong', code: foreign }))).toBe('bad_client_secret');
    expect(await slackError(client().oauth.v2.access({ ...creds, code: 'made-up' }))).toBe('invalid_code');
  });

  it('rotates: tokens expire, a refresh returns a new pair once, and the old refresh token stops working', async () => {
    const creds = { client_id: ROTATING.clientId, client_secret: ROTATING.clientSecret };
    const code = await codeFrom(fake, { ...base, client_id: ROTATING.clientId });
    const first = await client().oauth.v2.access({ ...creds, code, redirect_uri: REDIRECT });
    const user = first.authed_user!;
    expect(user).toMatchObject({ access_token: expect.stringMatching(/^xoxe\.xoxp-/), refresh_token: expect.stringMatching(/^xoxe-/), expires_in: 600, token_type: 'user' });
    expect((await client(user.access_token).auth.test()).ok).toBe(true);

    now += 600_000;
    expect(await slackError(client(user.access_token).auth.test())).toBe('token_expired');

    const refreshed = await client().oauth.v2.access({ ...creds, grant_type: 'refresh_token', refresh_token: user.refresh_token });
    expect(refreshed).toMatchObject({ ok: true, token_type: 'user', access_token: expect.stringMatching(/^xoxe\.xoxp-/), refresh_token: expect.stringMatching(/^xoxe-/), expires_in: 600, scope: USER_SCOPE });
    expect(refreshed.access_token).not.toBe(user.access_token);
    expect(refreshed.refresh_token).not.toBe(user.refresh_token);
    expect(await client(refreshed.access_token).auth.test()).toMatchObject({ ok: true, user_id: 'U0ALICE' });

    expect(await slackError(client().oauth.v2.access({ ...creds, grant_type: 'refresh_token', refresh_token: user.refresh_token }))).toBe('invalid_refresh_token');
    expect(await slackError(client().oauth.v2.access({ client_id: PLAIN.clientId, client_secret: PLAIN.clientSecret, grant_type: 'refresh_token', refresh_token: refreshed.refresh_token }))).toBe('invalid_refresh_token');
    expect(fake.oauthRequests.filter((r) => r.endpoint === 'oauth.v2.access').map((r) => [r.grantType, r.error])).toEqual([
      ['authorization_code', null],
      ['refresh_token', null],
      ['refresh_token', 'invalid_refresh_token'],
      ['refresh_token', 'invalid_refresh_token'],
    ]);
  });

  it('expires a token on demand', async () => {
    fake.addToken('xoxp-plain', { userId: 'U0BOB' });
    fake.expireToken('xoxp-plain');
    expect(await slackError(client('xoxp-plain').auth.test())).toBe('token_expired');
  });

  it('refuses unknown clients and scopes and unregistered redirect URLs in the browser, and redirects a refusal', async () => {
    expect((await authorize(fake, { ...base, client_id: '0.0' })).status).toBe(400);
    expect(await (await authorize(fake, { ...base, user_scope: 'users.profile.write' })).text()).toContain('invalid_scope');
    expect((await authorize(fake, { ...base, user_scope: '' })).status).toBe(400);
    fake.addOAuthClient({ clientId: '555.666', clientSecret: 's', redirectUrls: ['https://statusync.example/api/v1/oauth/slack'] });
    expect((await authorize(fake, { ...base, client_id: '555.666' })).status).toBe(302);
    expect(await (await authorize(fake, { ...base, client_id: '555.666', redirect_uri: 'https://evil.example/x' })).text()).toContain('bad_redirect_uri');

    fake.oauthLoginAs(null);
    expect((await authorize(fake, base)).status).toBe(401);
    const asBob = await codeFrom(fake, { ...base, user: 'U0BOB' });
    const bob = await client().oauth.v2.access({ client_id: PLAIN.clientId, client_secret: PLAIN.clientSecret, code: asBob, redirect_uri: REDIRECT });
    expect(bob.authed_user?.id).toBe('U0BOB');

    fake.oauthLoginAs('U0ALICE');
    fake.oauthDeclineNext();
    const declined = new URL((await authorize(fake, base)).headers.get('location')!);
    expect(Object.fromEntries(declined.searchParams)).toEqual({ error: 'access_denied', state: 'st-1' });
  });

  it('grants the scopes the signed-in person chose, and bot tokens when bot scopes are asked for', async () => {
    fake.oauthLoginAs('U0ALICE', { grantScopes: ['users.profile:read'] });
    const code = await codeFrom(fake, { ...base, scope: 'chat:write' });
    const answer = await client().oauth.v2.access({ client_id: PLAIN.clientId, client_secret: PLAIN.clientSecret, code, redirect_uri: REDIRECT });
    expect(answer).toMatchObject({ authed_user: { scope: 'users.profile:read' }, token_type: 'bot', scope: 'chat:write', access_token: expect.stringMatching(/^xoxb-/) });
  });

  it('is driven over HTTP: /_fake/oauth-clients, /_fake/oauth-login, /_fake/expire-token', async () => {
    const post = (name: string, body: unknown) => fetch(`${fake.url}/_fake/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('oauth-clients', { clientId: '777.888', clientSecret: 'http-secret', tokenRotation: true })).status).toBe(200);
    expect((await post('oauth-login', { userId: 'U0CAROL' })).status).toBe(200);
    const code = await codeFrom(fake, { ...base, client_id: '777.888' });
    const answer = await client().oauth.v2.access({ client_id: '777.888', client_secret: 'http-secret', code, redirect_uri: REDIRECT });
    expect(answer.authed_user).toMatchObject({ id: 'U0CAROL', refresh_token: expect.any(String) });
    expect((await post('expire-token', { token: answer.authed_user!.access_token })).status).toBe(200);
    expect(await slackError(client(answer.authed_user!.access_token).auth.test())).toBe('token_expired');
  });
});
