import { Client } from 'pg';
import { GoogleCalendarFake } from '../fakes/google-calendar-fake';
import { GraphCalendarFake } from '../fakes/graph-calendar-fake';
import { ApiResponse } from '../support/api-client';
import { connectAsApp } from '../support/app-role';
import { CALENDARS, calendarState, OWNER, withEmail } from '../support/calendar-helpers';
import { approveAt } from '../support/oauth-browser';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { patch } from '../support/templates-helpers';
import { waitFor } from '../support/wait-for';

/** How browsers reach the gateway; the provider redirects there and the test hands the redirect to the gateway. */
const PUBLIC_URL = 'https://statusync.test';
const APP = { clientId: 'e2e-calendar-app', clientSecret: 'e2e-calendar-app-secret' };
type Provider = 'google' | 'microsoft';
const redirectUri = (type: Provider) => `${PUBLIC_URL}/api/v1/oauth/calendars/${type}/callback`;

/** Whole seconds `ms` from now. */
const secondsFromNow = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
const hoursFromNow = (hours: number) => new Date(Math.ceil(Date.now() / 3_600_000 + hours) * 3_600_000);

const googleEvent = (id: string, start: Date, end: Date, extra: Record<string, unknown> = {}) => ({
  id,
  status: 'confirmed',
  summary: `Google ${id}`,
  start: { dateTime: start.toISOString() },
  end: { dateTime: end.toISOString() },
  attendees: [{ email: OWNER.toLowerCase(), self: true, responseStatus: 'accepted' }],
  ...extra,
});
const graphEvent = (id: string, start: Date, end: Date, extra: Record<string, unknown> = {}) => ({
  id,
  subject: `Graph ${id}`,
  showAs: 'busy',
  isAllDay: false,
  isCancelled: false,
  responseStatus: { response: 'accepted' },
  start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
  end: { dateTime: end.toISOString().slice(0, 19), timeZone: 'UTC' },
  ...extra,
});

/**
 * Google and Microsoft calendars connected through OAuth against the fakes playing both the providers'
 * authorization servers and their calendar APIs: connect → the poller reads → the span engine sets and restores
 * the status; token refresh (Microsoft's rotated refresh token kept), a revoked grant, every refusal of the
 * callback, and row-level security on the new token columns.
 */
describe('Google and Microsoft calendars', () => {
  let stack: TestStack;
  let google: GoogleCalendarFake;
  let graph: GraphCalendarFake;
  let app: Client;

  beforeAll(async () => {
    google = await GoogleCalendarFake.start(undefined, { clients: [{ ...APP, redirectUris: [redirectUri('google')] }] });
    graph = await GraphCalendarFake.start(undefined, { clients: [{ ...APP, redirectUris: [redirectUri('microsoft')] }] });
    stack = await startStack('calendar-providers', {
      services: ['api-gateway', 'sync-worker', 'scheduler'],
      env: {
        // Polls rarely: every read in these tests is one the connection, a rules change or a push notification asked for.
        CALENDAR_POLL_INTERVAL_MS: '600000',
        SCHEDULE_RECONCILE_INTERVAL_MS: '1000',
        OAUTH_REDIRECT_BASE_URL: PUBLIC_URL,
        GOOGLE_OAUTH_URL: google.url,
        GOOGLE_TOKEN_URL: `${google.url}/token`,
        GOOGLE_CALENDAR_API_URL: google.url,
        GOOGLE_CLIENT_ID: APP.clientId,
        GOOGLE_CLIENT_SECRET: APP.clientSecret,
        MICROSOFT_LOGIN_URL: graph.url,
        MICROSOFT_GRAPH_URL: graph.url,
        MICROSOFT_CLIENT_ID: APP.clientId,
        MICROSOFT_CLIENT_SECRET: APP.clientSecret,
      },
    });
    // The poller opens push channels to the gateway, so it learns where the gateway listens (PUBLIC_BASE_URL).
    await stack.startService('calendar-poller', { PUBLIC_BASE_URL: stack.api.baseUrl });
    app = await connectAsApp();
  }, 120_000);

  afterAll(async () => {
    await app?.end();
    await stack?.stop();
    await google?.close();
    await graph?.close();
  });

  /** POST the calendar; the answer carries the provider's authorize URL. */
  const start = async (user: TestUser, type: Provider, body: Record<string, unknown> = {}) => {
    const created = await stack.api.post(CALENDARS, user.jwt, { type, ...body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type, state: 'connecting', url: null, authorizeUrl: expect.any(String) });
    return created.body as { id: string; authorizeUrl: string };
  };
  /** The browser follows the provider's redirect to the gateway (no JWT, as a browser). */
  const callback = (location: URL, jwt?: string): Promise<ApiResponse> => {
    expect(location.origin).toBe(PUBLIC_URL);
    return stack.api.get(`${location.pathname}${location.search}`, jwt);
  };
  const connect = async (user: TestUser, type: Provider, body: Record<string, unknown> = {}) => {
    const { id, authorizeUrl } = await start(user, type, body);
    const back = await approveAt(authorizeUrl);
    const answer = await callback(back.location);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, type, state: 'pending' });
    return id;
  };
  const calendar = async (user: TestUser, id: string) => (await stack.api.get(`${CALENDARS}/${id}`, user.jwt)).body;
  const row = async (id: string) => (await stack.db.query(`SELECT * FROM calendar_connections WHERE id = $1`, [id])).rows[0];
  const shows = (user: TestUser, message: string) => () =>
    stack.github.statusOf(user.githubLogin)?.message === message && stack.slack.profileOf(user.slackUserId)?.status_text === message;

  /** A meeting on the provider sets "In a meeting" on both platforms at its start and restores the status at its end. */
  async function meetingRoundTrip(type: Provider) {
    const user = withEmail(await newUser(stack));
    const before = await stack.api.post('/api/v1/status/update', user.jwt, { emoji: ':coffee:', message: `Before ${type}`, durationMinutes: 120 });
    expect((await settled(stack, user, before.body.id)).state).toBe('succeeded');
    const previousSlack = { ...stack.slack.profileOf(user.slackUserId) };
    const meetingStart = secondsFromNow(10_000);
    const meetingEnd = new Date(meetingStart.getTime() + 8_000);
    if (type === 'google') google.put(googleEvent(`meet-${user.subject}`, meetingStart, meetingEnd));
    else graph.put(graphEvent(`meet-${user.subject}`, meetingStart, meetingEnd));

    const id = await connect(user, type);
    await waitFor(shows(user, 'In a meeting'), `the ${type} meeting on both platforms`, 30_000, 100);
    expect(Date.now() - meetingStart.getTime()).toBeLessThan(30_000);
    expect(JSON.stringify(stack.github.statusOf(user.githubLogin))).not.toContain(`meet-`);
    await waitFor(shows(user, `Before ${type}`), 'the previous status back on both platforms', 30_000, 100);
    expect(stack.slack.profileOf(user.slackUserId)).toEqual(previousSlack);
    expect((await calendar(user, id)).state).toBe('active');

    // Tokens are sealed at rest and never answered.
    const stored = await row(id);
    expect(stored.access_token_ciphertext).toBeInstanceOf(Buffer);
    expect(stored.refresh_token_ciphertext).toBeInstanceOf(Buffer);
    expect(stored.access_token_ciphertext.toString('latin1')).not.toMatch(/ya29\.|eyJ0\./);
    expect(JSON.stringify(await calendar(user, id))).not.toMatch(/token|ya29|eyJ0/i);
    return { user, id };
  }

  it('Google: connect through OAuth, a meeting sets busy on both platforms and the previous status comes back', async () => {
    await meetingRoundTrip('google');
    const authorize = google.oauth.authorizeRequests.at(-1)!;
    expect(Object.fromEntries(authorize)).toMatchObject({ access_type: 'offline', prompt: 'consent', code_challenge_method: 'S256', scope: 'https://www.googleapis.com/auth/calendar.readonly' });
  }, 120_000);

  it('Microsoft: the same through Graph calendarView/delta', async () => {
    await meetingRoundTrip('microsoft');
    expect(graph.oauth.authorizeRequests.at(-1)!.get('scope')).toBe('Calendars.Read offline_access');
  }, 120_000);

  it('the preview reads the provider through the same path: declined, free and tentative events are ignored with their reason', async () => {
    const user = withEmail(await newUser(stack, []));
    const at = (h: number) => hoursFromNow(24 + h);
    google.put(googleEvent(`g-busy-${user.subject}`, at(1), at(2)));
    google.put(googleEvent(`g-declined-${user.subject}`, at(3), at(4), { attendees: [{ email: OWNER.toLowerCase(), self: true, responseStatus: 'declined' }] }));
    google.put(googleEvent(`g-free-${user.subject}`, at(5), at(6), { transparency: 'transparent' }));
    const googleId = await connect(user, 'google');
    graph.put(graphEvent(`m-busy-${user.subject}`, at(1), at(2)));
    graph.put(graphEvent(`m-declined-${user.subject}`, at(3), at(4), { responseStatus: { response: 'declined' } }));
    graph.put(graphEvent(`m-free-${user.subject}`, at(5), at(6), { showAs: 'free' }));
    graph.put(graphEvent(`m-tentative-${user.subject}`, at(7), at(8), { showAs: 'tentative' }));
    const microsoftId = await connect(user, 'microsoft');

    const window = `from=${at(0).toISOString()}&to=${at(10).toISOString()}`;
    const googlePreview = await stack.api.get(`${CALENDARS}/${googleId}/preview?${window}`, user.jwt);
    expect(googlePreview.status).toBe(200);
    expect(googlePreview.body.busy.map((s: { start: string; kind: string }) => [s.start, s.kind])).toEqual([[at(1).toISOString(), 'meeting']]);
    const googleReasons = googlePreview.body.ignored.filter((i: { start: string }) => i.start >= at(0).toISOString()).map((i: { reason: string }) => i.reason);
    expect(googleReasons).toEqual(['declined', 'free']);

    const microsoftPreview = await stack.api.get(`${CALENDARS}/${microsoftId}/preview?${window}`, user.jwt);
    expect(microsoftPreview.status).toBe(200);
    expect(microsoftPreview.body.busy.map((s: { start: string }) => s.start)).toEqual([at(1).toISOString()]);
    expect(microsoftPreview.body.ignored.map((i: { reason: string }) => i.reason)).toEqual(['declined', 'free', 'tentative']);
  }, 90_000);

  it('Microsoft: an expired access token is refreshed before the read and the rotated refresh token is the one kept', async () => {
    const user = withEmail(await newUser(stack, []));
    const id = await connect(user, 'microsoft');
    await waitFor(async () => (await calendar(user, id)).state === 'active', 'the first read');
    const refreshes = () => graph.oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length;

    // Past its expiry by the clock: refreshed before the read.
    const first = await row(id);
    await stack.db.query(`UPDATE calendar_connections SET token_expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    const beforeFirst = refreshes();
    expect((await patch(stack, `${CALENDARS}/${id}`, user.jwt, { rules: { includeTitles: true } })).status).toBe(200);
    await waitFor(async () => refreshes() > beforeFirst && (await row(id)).token_expires_at > new Date(), 'a refresh before the read');
    const second = await row(id);
    expect(second.refresh_token_ciphertext.equals(first.refresh_token_ciphertext)).toBe(false);
    expect(second.access_token_ciphertext.equals(first.access_token_ciphertext)).toBe(false);

    // Refused by the provider although not expired by the clock (a 401): one refresh with the newest refresh token,
    // which only works if the rotated one was stored (the fake retires each refresh token once used).
    graph.oauth.expireAccessTokens();
    const beforeSecond = refreshes();
    const readsBefore = graph.requests.length;
    expect((await patch(stack, `${CALENDARS}/${id}`, user.jwt, { rules: { includeTitles: false } })).status).toBe(200);
    await waitFor(async () => refreshes() > beforeSecond && graph.requests.length > readsBefore, 'a refresh after the 401, and the read');
    await waitFor(async () => (await row(id)).refresh_token_ciphertext.equals(second.refresh_token_ciphertext) === false, 'the newest refresh token stored');
    const after = await calendar(user, id);
    expect(after).toMatchObject({ state: 'active', lastError: null });
    expect(graph.oauth.tokenRequests.filter((r) => r.error === 'invalid_grant')).toHaveLength(0);
  }, 90_000);

  it('Google: a revoked grant marks the calendar broken with a reason to reconnect; reconnecting heals it', async () => {
    const user = withEmail(await newUser(stack, []));
    const id = await connect(user, 'google');
    await waitFor(async () => (await calendar(user, id)).state === 'active', 'the first read');
    google.oauth.revokeAll();
    expect((await patch(stack, `${CALENDARS}/${id}`, user.jwt, { rules: { includeTitles: true } })).status).toBe(200);
    const broken = await waitFor(async () => {
      const view = await calendar(user, id);
      return view.state === 'broken' ? view : undefined;
    }, 'the calendar broken');
    expect(broken.lastError).toMatch(/Google refused our access \(invalid_grant\): reconnect/);

    const again = await stack.api.post(`${CALENDARS}/${id}/authorize`, user.jwt);
    expect(again.status).toBe(200);
    const back = await approveAt(again.body.authorizeUrl);
    const answer = await callback(back.location);
    expect(answer.body).toMatchObject({ id, state: 'pending', lastError: null });
    await waitFor(async () => (await calendar(user, id)).state === 'active', 'the reconnected calendar read');
  }, 90_000);

  it('refuses a bad, replayed or foreign state, a denied consent, a forged code, and a url on a provider calendar; nothing is stored', async () => {
    const ada = withEmail(await newUser(stack, []));
    const mallory = await newUser(stack, []);
    const { id, authorizeUrl } = await start(ada, 'google');
    const unchanged = async () => {
      const stored = await row(id);
      expect(stored).toMatchObject({ state: 'connecting', access_token_ciphertext: null, refresh_token_ciphertext: null });
    };
    const problem = (answer: ApiResponse, status: number, field: string) => {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };

    const back = await approveAt(authorizeUrl);
    const forged = new URL(back.location);
    forged.searchParams.set('state', `${back.state!.slice(0, -2)}xx`);
    problem(await callback(forged), 400, 'state');
    const missing = new URL(back.location);
    missing.searchParams.delete('state');
    problem(await callback(missing), 400, 'state');
    // A Google state cannot complete a Microsoft flow (the signature covers the flow).
    problem(await stack.api.get(`/api/v1/oauth/calendars/microsoft/callback${back.location.search}`), 400, 'state');
    problem(await stack.api.get(`/api/v1/oauth/calendars/caldav/callback${back.location.search}`), 400, 'type');
    // Another user's session cannot complete Ada's connection; the state is used up by trying.
    problem(await callback(back.location, mallory.jwt), 400, 'state');
    problem(await callback(back.location), 400, 'state');
    await unchanged();

    // Declined at the provider.
    google.oauth.consent = { decision: 'deny' };
    const { authorizeUrl: second } = await stack.api.post(`${CALENDARS}/${id}/authorize`, ada.jwt).then((a) => a.body);
    const denied = await approveAt(second);
    google.oauth.consent = { decision: 'approve' };
    expect(denied.error).toBe('access_denied');
    const refusal = await callback(denied.location);
    problem(refusal, 422, 'code');
    expect(refusal.body).toMatchObject({ type: 'https://statusync.dev/problems/oauth-refused', platform: 'google', platformError: 'access_denied' });

    // A code the provider never issued.
    const third = await approveAt((await stack.api.post(`${CALENDARS}/${id}/authorize`, ada.jwt)).body.authorizeUrl);
    const fake = new URL(third.location);
    fake.searchParams.set('code', '4/0Anotacode');
    const badCode = await callback(fake);
    problem(badCode, 422, 'code');
    expect(badCode.body.platformError).toBe('invalid_grant');

    // Granted without calendar access.
    google.oauth.consent = { decision: 'approve', grant: [] };
    const narrow = await approveAt((await stack.api.post(`${CALENDARS}/${id}/authorize`, ada.jwt)).body.authorizeUrl);
    google.oauth.consent = { decision: 'approve' };
    const narrowAnswer = await callback(narrow.location);
    problem(narrowAnswer, 422, 'code');
    expect(narrowAnswer.body.platformError).toMatch(/^insufficient_scope/);
    await unchanged();

    // Bodies that do not fit a provider calendar; an ICS calendar has nothing to authorize; others' calendars are 404.
    const before = await calendarState(stack);
    problem(await stack.api.post(CALENDARS, ada.jwt, { type: 'google', url: 'https://calendar.example.com/x.ics' }), 400, 'url');
    expect(await calendarState(stack)).toBe(before);
    expect((await stack.api.post(`${CALENDARS}/${id}/authorize`, mallory.jwt)).status).toBe(404);
    // A connecting calendar has nothing to preview yet: 422 with the reason.
    const preview = await stack.api.get(`${CALENDARS}/${id}/preview`, ada.jwt);
    expect(preview.status).toBe(422);
    expect(preview.body.detail).toMatch(/not connected yet/);
  }, 90_000);

  it('row-level security: the app role scoped to another user neither reads nor writes a calendar\'s tokens or sync state', async () => {
    const ada = withEmail(await newUser(stack, []));
    const mallory = await newUser(stack, []);
    const id = await connect(ada, 'google');
    await waitFor(async () => (await row(id)).sync_token !== null, 'the first sync');
    expect((await stack.api.get(CALENDARS, mallory.jwt)).status).toBe(200); // makes Mallory known
    const malloryId = (await stack.db.query(`SELECT id FROM users WHERE subject = $1`, [mallory.subject])).rows[0].id as string;
    const adaId = (await row(id)).user_id as string;
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('statusync.user_id', $1, true)`, [malloryId]);
      expect((await app.query(`SELECT access_token_ciphertext, refresh_token_ciphertext, sync_token, sync_items FROM calendar_connections WHERE id = $1`, [id])).rowCount).toBe(0);
      expect((await app.query(`UPDATE calendar_connections SET refresh_token_ciphertext = '\\x00', refresh_token_key_id = 'k', sync_token = 'x' WHERE id = $1`, [id])).rowCount).toBe(0);
      // Nor can Mallory plant a calendar (with tokens of her choosing) on Ada's account.
      await expect(
        app.query(`INSERT INTO calendar_connections (user_id, type, state, access_token_ciphertext, access_token_key_id) VALUES ($1, 'google', 'pending', '\\x00', 'k')`, [adaId]),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await app.query('ROLLBACK');
    }
    const stored = await row(id);
    expect(stored.sync_token).not.toBe('x');
    expect(stored.refresh_token_ciphertext.length).toBeGreaterThan(1);
  }, 60_000);
  const spanAt = async (calendarId: string, start: Date) =>
    (await stack.db.query(`SELECT 1 FROM calendar_spans WHERE calendar_id = $1 AND starts_at = $2`, [calendarId, start])).rowCount === 1;

  it('Google push: a watch channel is opened, a notification triggers a read before the next poll, a forged one is refused, renewal and delete stop channels', async () => {
    const user = withEmail(await newUser(stack, []));
    const id = await connect(user, 'google');
    const opened = await waitFor(async () => (await row(id)).push_channel_id ?? undefined, 'a watch channel');
    const channel = google.channels.get(opened)!;
    expect(channel.address).toBe(`${stack.api.baseUrl}/api/v1/calendars/push/google`);
    expect(new Date((await row(id)).push_expires_at).getTime()).toBe(channel.expiration);
    // Google's first message on a channel (`sync`) is acknowledged.
    await waitFor(() => google.deliveries.find((d) => d.channelId === opened && d.state === 'sync'), 'the sync message');
    expect(google.deliveries.find((d) => d.channelId === opened && d.state === 'sync')!.status).toBe(204);

    // A change: the notification alone makes the poller read (its next poll is 10 minutes away).
    const start = hoursFromNow(2);
    google.put(googleEvent(`pushed-${user.subject}`, start, new Date(start.getTime() + 1_800_000)));
    expect(await spanAt(id, start)).toBe(false);
    const before = google.requests.length;
    const statuses = await google.notify();
    expect(statuses.every((status) => status === 204)).toBe(true);
    await waitFor(() => spanAt(id, start), 'the pushed change read', 15_000, 100);
    expect(google.requests.length).toBeGreaterThan(before);

    // Knowing a channel id is not enough: the token must be the calendar's; an unknown channel finds nothing.
    expect(await google.notifyWithToken(opened, 'forged-token')).toBe(403);
    const unknown = await stack.api.request('POST', '/api/v1/calendars/push/google', { headers: { 'x-goog-channel-id': 'no-such-channel', 'x-goog-channel-token': 'x', 'x-goog-resource-state': 'exists' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    // A day before it expires the channel is replaced (Google cannot extend one) and the old one stopped.
    await stack.db.query(`UPDATE calendar_connections SET push_expires_at = now() + interval '1 hour' WHERE id = $1`, [id]);
    expect((await patch(stack, `${CALENDARS}/${id}`, user.jwt, { rules: { includeTitles: true } })).status).toBe(200);
    const renewed = await waitFor(async () => {
      const current = (await row(id)).push_channel_id;
      return current !== opened ? current : undefined;
    }, 'a new channel');
    await waitFor(() => google.stopped.includes(opened), 'the old channel stopped');
    expect(google.channels.has(renewed)).toBe(true);

    // Deleting the calendar stops its channel.
    expect((await stack.api.delete(`${CALENDARS}/${id}`, user.jwt)).status).toBe(204);
    expect(google.stopped).toContain(renewed);
  }, 90_000);

  it('Microsoft push: a validated subscription, a notification triggers a read, a wrong clientState is refused, renewal extends it, delete removes it', async () => {
    const user = withEmail(await newUser(stack, []));
    const id = await connect(user, 'microsoft');
    const subscriptionId = await waitFor(async () => (await row(id)).push_channel_id ?? undefined, 'a subscription');
    const subscription = graph.subscriptions.get(subscriptionId)!;
    expect(subscription).toMatchObject({ resource: 'me/events', notificationUrl: `${stack.api.baseUrl}/api/v1/calendars/push/microsoft` });
    expect(Date.parse(subscription.expirationDateTime)).toBeGreaterThan(Date.now() + 2 * 86_400_000);

    const start = hoursFromNow(3);
    graph.put(graphEvent(`pushed-${user.subject}`, start, new Date(start.getTime() + 1_800_000)));
    const before = graph.requests.length;
    expect(await graph.notify()).toEqual(expect.arrayContaining([202]));
    await waitFor(() => spanAt(id, start), 'the pushed change read', 15_000, 100);
    expect(graph.requests.length).toBeGreaterThan(before);
    expect((await graph.notify('forged-client-state')).every((status) => status === 403)).toBe(true);

    // The handshake route answers text/plain; text/plain stays a 415 everywhere else.
    const handshake = await stack.api.request('POST', '/api/v1/calendars/push/microsoft?validationToken=Validation%3A%20abc', { rawBody: '', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect({ status: handshake.status, text: handshake.text, type: handshake.headers.get('content-type') }).toMatchObject({ status: 200, text: 'Validation: abc', type: expect.stringMatching(/^text\/plain/) });
    const elsewhere = await stack.api.request('POST', '/api/v1/status/update', { token: user.jwt, rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(elsewhere.status).toBe(415);

    // Renewal extends the same subscription in place.
    await stack.db.query(`UPDATE calendar_connections SET push_expires_at = now() + interval '1 hour' WHERE id = $1`, [id]);
    expect((await patch(stack, `${CALENDARS}/${id}`, user.jwt, { rules: { includeTitles: true } })).status).toBe(200);
    await waitFor(async () => new Date((await row(id)).push_expires_at).getTime() > Date.now() + 86_400_000, 'the subscription renewed');
    expect((await row(id)).push_channel_id).toBe(subscriptionId);

    expect((await stack.api.delete(`${CALENDARS}/${id}`, user.jwt)).status).toBe(204);
    expect(graph.deleted).toContain(subscriptionId);
  }, 90_000);
});
