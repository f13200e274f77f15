import { CalendarAuthError, CalendarOAuthClient, FeedProblem, openCalendarToken, sealCalendarToken, syncGoogleEvents, withAccessToken } from '@statusync/calendar-feeds';
import { TokenCipher } from '@statusync/core';
import type { CalendarForRead, SealedCalendarTokens } from '@statusync/db';
import { createHash, randomBytes } from 'node:crypto';
import { GoogleCalendarFake } from './google-calendar-fake';
import { GraphCalendarFake } from './graph-calendar-fake';

const REDIRECT = 'https://statusync.example.com/api/v1/oauth/calendars/x/callback';
const app = { clientId: 'cal-client', clientSecret: 'cal-secret', redirectUris: [REDIRECT] };
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** Plays the browser: the fake's consent screen answers with a redirect to REDIRECT carrying code or error. */
async function approve(authorizeUrl: string): Promise<URLSearchParams> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!).searchParams;
}

const googleClient = (fake: GoogleCalendarFake, secret = app.clientSecret) =>
  CalendarOAuthClient.for('google', { authorizeUrl: `${fake.url}/o/oauth2/v2/auth`, tokenUrl: `${fake.url}/token`, apiUrl: fake.url, client: { id: app.clientId, secret } }, 2_000)!;
const graphClient = (fake: GraphCalendarFake) =>
  CalendarOAuthClient.for(
    'microsoft',
    { authorizeUrl: `${fake.url}/common/oauth2/v2.0/authorize`, tokenUrl: `${fake.url}/common/oauth2/v2.0/token`, apiUrl: fake.url, client: { id: app.clientId, secret: app.clientSecret } },
    2_000,
  )!;

async function connect(client: CalendarOAuthClient) {
  const { verifier, challenge } = pkce();
  const back = await approve(client.authorizeUrl({ state: 'st', redirectUri: REDIRECT, codeChallenge: challenge }));
  expect(back.get('state')).toBe('st');
  return { code: back.get('code')!, verifier };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('calendar OAuth against the Google fake', () => {
  let google: GoogleCalendarFake;
  beforeEach(async () => (google = await GoogleCalendarFake.start(undefined, { clients: [app] })));
  afterEach(() => google.close());

  it('asks for calendar.readonly offline with PKCE S256 and consent, and exchanges the code once', async () => {
    const client = googleClient(google);
    const url = new URL(client.authorizeUrl({ state: 's', redirectUri: REDIRECT, codeChallenge: 'c'.repeat(43) }));
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'cal-client',
      response_type: 'code',
      scope: 'https://www.googleapis.com/auth/calendar.readonly',
      access_type: 'offline',
      prompt: 'consent',
      code_challenge_method: 'S256',
    });
    const { code, verifier } = await connect(client);
    const tokens = await client.exchange({ code, redirectUri: REDIRECT, codeVerifier: verifier });
    expect(tokens).toMatchObject({ accessToken: expect.stringMatching(/^ya29\./), refreshToken: expect.any(String), scopes: ['https://www.googleapis.com/auth/calendar.readonly'] });
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    // The access token reads the calendar; the code does not work twice.
    await expect(syncGoogleEvents({ token: null, items: {} }, { baseUrl: google.url, accessToken: tokens.accessToken, timeoutMs: 2_000, since: new Date() })).resolves.toMatchObject({ token: expect.any(String) });
    expect(await refusal(client.exchange({ code, redirectUri: REDIRECT, codeVerifier: verifier }))).toMatchObject({ code: 'invalid_grant' });
  });

  it('refuses a foreign verifier, a narrower grant, a wrong client secret; a denied consent comes back as access_denied', async () => {
    const client = googleClient(google);
    const first = await connect(client);
    expect(await refusal(client.exchange({ code: first.code, redirectUri: REDIRECT, codeVerifier: pkce().verifier }))).toMatchObject({ code: 'invalid_grant' });

    google.oauth.consent = { decision: 'approve', grant: [] };
    const narrow = await connect(client);
    const error = await refusal(client.exchange({ code: narrow.code, redirectUri: REDIRECT, codeVerifier: narrow.verifier }));
    expect(error).toBeInstanceOf(CalendarAuthError);
    expect((error as CalendarAuthError).code).toMatch(/^insufficient_scope/);

    google.oauth.consent = { decision: 'approve' };
    const third = await connect(client);
    expect(await refusal(googleClient(google, 'wrong').exchange({ code: third.code, redirectUri: REDIRECT, codeVerifier: third.verifier }))).toMatchObject({ code: 'invalid_client' });

    google.oauth.consent = { decision: 'deny' };
    const back = await approve(client.authorizeUrl({ state: 'st', redirectUri: REDIRECT, codeChallenge: pkce().challenge }));
    expect(back.get('error')).toBe('access_denied');
    expect(back.get('code')).toBeNull();
  });

  it('refresh keeps the refresh token (Google does not rotate); a revoked one is invalid_grant', async () => {
    const client = googleClient(google);
    const { code, verifier } = await connect(client);
    const tokens = await client.exchange({ code, redirectUri: REDIRECT, codeVerifier: verifier });
    const refreshed = await client.refresh(tokens.refreshToken!);
    expect(refreshed.refreshToken).toBeNull();
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    google.oauth.revokeAll();
    expect(await refusal(client.refresh(tokens.refreshToken!))).toMatchObject({ code: 'invalid_grant' });
  });

  it('an unreachable token endpoint is a transient problem, not a refusal', async () => {
    const client = CalendarOAuthClient.for('google', { authorizeUrl: 'http://127.0.0.1:1/a', tokenUrl: 'http://127.0.0.1:1/token', apiUrl: 'http://127.0.0.1:1', client: { id: 'a', secret: 'b' } }, 1_000)!;
    expect(await refusal(client.refresh('r'))).toMatchObject({ permanent: false });
    expect(CalendarOAuthClient.for('google', { authorizeUrl: 'x', tokenUrl: 'y', apiUrl: 'z', client: null }, 1_000)).toBeNull();
  });
});

describe('calendar OAuth against the Microsoft fake', () => {
  let graph: GraphCalendarFake;
  beforeEach(async () => (graph = await GraphCalendarFake.start(undefined, { clients: [app] })));
  afterEach(() => graph.close());

  it('asks for Calendars.Read offline_access, reads Graph-prefixed scopes, and rotates the refresh token on every refresh', async () => {
    const client = graphClient(graph);
    expect(new URL(client.authorizeUrl({ state: 's', redirectUri: REDIRECT, codeChallenge: 'c'.repeat(43) })).searchParams.get('scope')).toBe('Calendars.Read offline_access');
    const { code, verifier } = await connect(client);
    const tokens = await client.exchange({ code, redirectUri: REDIRECT, codeVerifier: verifier });
    expect(tokens.scopes).toContain('Calendars.Read');
    const rotated = await client.refresh(tokens.refreshToken!);
    expect(rotated.refreshToken).toEqual(expect.any(String));
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect(await refusal(client.refresh(tokens.refreshToken!))).toMatchObject({ code: 'invalid_grant' });
    await expect(client.refresh(rotated.refreshToken!)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('withAccessToken refreshes an expired token before reading, stores the rotated pair, and retries once after a 401', async () => {
    const client = graphClient(graph);
    const cipher = new TokenCipher([{ id: 'k1', key: randomBytes(32) }]);
    const { code, verifier } = await connect(client);
    const tokens = await client.exchange({ code, redirectUri: REDIRECT, codeVerifier: verifier });
    const calendar = {
      id: 'cal-1',
      userId: 'user-1',
      type: 'microsoft',
      accessToken: sealCalendarToken(cipher, 'user-1', 'cal-1', 'access', tokens.accessToken),
      refreshToken: sealCalendarToken(cipher, 'user-1', 'cal-1', 'refresh', tokens.refreshToken!),
      tokenExpiresAt: new Date(Date.now() + 60_000),
    } as unknown as CalendarForRead;
    const stored: SealedCalendarTokens[] = [];
    const used: string[] = [];
    await withAccessToken(calendar, cipher, client, async (t) => void stored.push(t), async (token) => void used.push(token));
    // Expiring within 5 minutes: refreshed first; Microsoft's new refresh token is stored with it.
    expect(stored).toHaveLength(1);
    expect(used[0]).not.toBe(tokens.accessToken);
    const newest = openCalendarToken(cipher, 'user-1', 'cal-1', 'refresh', stored[0].refreshToken!);
    expect(newest).not.toBe(tokens.refreshToken);

    // A valid-looking token the provider refuses (401): one refresh, one retry.
    const current = { ...calendar, accessToken: stored[0].accessToken, refreshToken: stored[0].refreshToken!, tokenExpiresAt: new Date(Date.now() + 3_600_000) } as CalendarForRead;
    graph.oauth.expireAccessTokens();
    let calls = 0;
    const result = await withAccessToken(current, cipher, client, async (t) => void stored.push(t), async (token) => {
      calls++;
      if (!graph.oauth.acceptsAccessToken(token)) throw new (await import('@statusync/calendar-feeds')).ProviderUnauthorized();
      return 'read';
    });
    expect(result).toBe('read');
    expect(calls).toBe(2);

    // Revoked: the refresh is refused and the problem says to reconnect, permanently.
    graph.oauth.revokeAll();
    const latest = { ...current, refreshToken: stored[1].refreshToken!, tokenExpiresAt: new Date(0) } as CalendarForRead;
    const problem = await refusal(withAccessToken(latest, cipher, client, async () => undefined, async () => 'never'));
    expect(problem).toBeInstanceOf(FeedProblem);
    expect(problem).toMatchObject({ permanent: true, reason: expect.stringContaining('reconnect') });
  });
});
