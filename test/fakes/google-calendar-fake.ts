import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Answer, CalendarOAuthClientApp, CalendarOAuthServer, readBody } from './calendar-oauth';

type Item = Record<string, unknown> & { id: string; status?: string };

export interface WatchChannel {
  id: string;
  resourceId: string;
  address: string;
  token: string | undefined;
  /** ms epoch. */
  expiration: number;
  messages: number;
}

/**
 * Google Calendar `events.list` (primary calendar), strict where Google is: `orderBy=startTime` needs
 * `singleEvents=true`; a `syncToken` cannot be combined with timeMin/timeMax/orderBy/q/updatedMin; `nextSyncToken`
 * only on the last page; an expired token is a 410; incremental answers include cancelled events. Tokens are
 * versions of the event log, so a sync token returns exactly the changes since it was issued.
 */
export class GoogleCalendarFake {
  readonly requests: URLSearchParams[] = [];
  private readonly log: Item[] = [];
  /** Tokens carry the generation they were issued in; expiring bumps it. */
  private generation = 1;
  pageSize = 2;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly accessToken: string,
    /** The provider's OAuth authorization server (authorize and token endpoints on this same fake). */
    readonly oauth: CalendarOAuthServer,
  ) {}

  /** `clients`: OAuth apps the fake's authorization server knows (none: only the fixed access token works). */
  static async start(accessToken = 'ya29.fake-google-token', options: { clients?: CalendarOAuthClientApp[] } = {}): Promise<GoogleCalendarFake> {
    let fake: GoogleCalendarFake | undefined;
    const server = createServer((request, response) => {
      void fake!.route(request, () => fake!.handle(request.method ?? 'GET', request.url ?? '/', request.headers.authorization)).then((answer) => {
        const headers = { 'content-type': 'application/json', ...answer.headers };
        response.writeHead(answer.status, headers).end(answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const oauth = new CalendarOAuthServer('google', options.clients ?? [], 'https://www.googleapis.com/auth/calendar.readonly');
    fake = new GoogleCalendarFake(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accessToken, oauth);
    return fake;
  }

  /** The OAuth endpoints, then the calendar API (`api`, already computed from the request). */
  private async route(request: import('node:http').IncomingMessage, api: () => { status: number; body: unknown }): Promise<Answer> {
    const url = new URL(request.url ?? '/', this.url);
    if (request.method === 'GET' && url.pathname === '/o/oauth2/v2/auth') return this.oauth.authorize(url.searchParams);
    if (request.method === 'POST' && url.pathname === '/token') return this.oauth.token(request.headers, await readBody(request));
    if (request.method === 'POST' && url.pathname === '/calendar/v3/calendars/primary/events/watch') return this.watch(request.headers.authorization, await readBody(request));
    if (request.method === 'POST' && url.pathname === '/calendar/v3/channels/stop') return this.stop(request.headers.authorization, await readBody(request));
    return api();
  }

  /** Live watch channels (stopped ones are removed). */
  readonly channels = new Map<string, WatchChannel>();
  /** Every channel ever stopped, by id. */
  readonly stopped: string[] = [];
  /** What each notification delivery answered. */
  readonly deliveries: { channelId: string; state: string; status: number }[] = [];
  /** Lifetime granted to new channels (Google: about a week, whatever is asked). */
  channelLifetimeMs = 7 * 86_400_000;

  /**
   * `events.watch`: a channel id of Google's alphabet, unique; `type` web_hook; an https address (the fake also
   * takes http on 127.0.0.1, where the tests' gateway listens). Answers `resourceId` and `expiration` (ms, as a
   * string), then sends the `sync` message to the address, as Google does.
   */
  private watch(authorization: string | undefined, text: string): Answer {
    const error = (status: number, reason: string) => ({ status, body: { error: { code: status, message: reason, errors: [{ reason }] } } });
    if (!this.authorised(authorization)) return error(401, 'authError');
    let body: { id?: unknown; type?: unknown; address?: unknown; token?: unknown; params?: { ttl?: unknown } };
    try {
      body = JSON.parse(text);
    } catch {
      return error(400, 'parseError');
    }
    if (typeof body.id !== 'string' || !/^[A-Za-z0-9\-_+/=]{1,64}$/.test(body.id)) return error(400, 'invalidChannelId');
    if (this.channels.has(body.id)) return error(400, 'channelIdNotUnique');
    if (body.type !== 'web_hook' && body.type !== 'webhook') return error(400, 'invalidChannelType');
    const address = typeof body.address === 'string' ? body.address : '';
    if (!/^https:\/\//.test(address) && !/^http:\/\/127\.0\.0\.1:\d+\//.test(address)) return error(400, 'pushWebhookBadDomain');
    if (body.token !== undefined && (typeof body.token !== 'string' || body.token.length > 256)) return error(400, 'invalidChannelToken');
    const ttlMs = body.params?.ttl !== undefined ? Number(body.params.ttl) * 1000 : this.channelLifetimeMs;
    const channel: WatchChannel = {
      id: body.id,
      resourceId: `res-${body.id.slice(0, 8)}-${this.channels.size + this.stopped.length}`,
      address,
      token: typeof body.token === 'string' ? body.token : undefined,
      expiration: Date.now() + Math.min(ttlMs, this.channelLifetimeMs),
      messages: 0,
    };
    this.channels.set(channel.id, channel);
    setImmediate(() => void this.deliver(channel, 'sync'));
    return {
      status: 200,
      body: { kind: 'api#channel', id: channel.id, resourceId: channel.resourceId, resourceUri: `${this.url}/calendar/v3/calendars/primary/events`, token: channel.token, expiration: String(channel.expiration) },
    };
  }

  /** `channels.stop`: both the id and the resourceId must name a live channel. */
  private stop(authorization: string | undefined, text: string): Answer {
    if (!this.authorised(authorization)) return { status: 401, body: { error: { code: 401, message: 'authError' } } };
    let body: { id?: unknown; resourceId?: unknown } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // falls through to not found
    }
    const channel = typeof body.id === 'string' ? this.channels.get(body.id) : undefined;
    if (!channel || channel.resourceId !== body.resourceId) return { status: 404, body: { error: { code: 404, message: 'Channel not found' } } };
    this.channels.delete(channel.id);
    this.stopped.push(channel.id);
    return { status: 204 };
  }

  /** Something changed: every live channel is told (`exists`), as Google's body-less POST with X-Goog-* headers. */
  async notify(): Promise<number[]> {
    return Promise.all([...this.channels.values()].map((channel) => this.deliver(channel, 'exists')));
  }

  /** Sends one notification for `channel` with another token (an attacker who knows the channel id). */
  async notifyWithToken(channelId: string, token: string): Promise<number> {
    const channel = this.channels.get(channelId)!;
    return this.deliver({ ...channel, token }, 'exists');
  }

  private async deliver(channel: WatchChannel, state: string): Promise<number> {
    const headers: Record<string, string> = {
      'x-goog-channel-id': channel.id,
      'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
      'x-goog-resource-state': state,
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': `${this.url}/calendar/v3/calendars/primary/events`,
      'x-goog-message-number': String(++channel.messages),
    };
    if (channel.token !== undefined) headers['x-goog-channel-token'] = channel.token;
    const status = await fetch(channel.address, { method: 'POST', headers, signal: AbortSignal.timeout(10_000) }).then(
      (response) => response.status,
      () => 0,
    );
    this.deliveries.push({ channelId: channel.id, state, status });
    return status;
  }

  /** The fixed token of the unit tests, or one the authorization server issued and still honours. */
  private authorised(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    return token !== undefined && (token === this.accessToken || this.oauth.acceptsAccessToken(token));
  }

  /** Adds or changes an event (a new version in the log). `status: 'cancelled'` deletes it. */
  put(item: Item): void {
    this.log.push(item);
  }

  /** Every sync token issued so far stops working (410), as after Google's token expiry. */
  expireSyncTokens(): void {
    this.generation += 1;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, rawUrl: string, authorization: string | undefined): { status: number; body: unknown } {
    const url = new URL(rawUrl, this.url);
    const error = (status: number, reason: string) => ({ status, body: { error: { code: status, message: reason, errors: [{ reason }] } } });
    if (method !== 'GET' || url.pathname !== '/calendar/v3/calendars/primary/events') return error(404, 'notFound');
    if (!this.authorised(authorization)) return error(401, 'authError');
    const q = url.searchParams;
    this.requests.push(q);
    if (q.get('orderBy') === 'startTime' && q.get('singleEvents') !== 'true') return error(400, 'orderByStartTimeRequiresSingleEvents');
    const syncToken = q.get('syncToken');
    if (syncToken && ['timeMin', 'timeMax', 'orderBy', 'q', 'updatedMin'].some((name) => q.has(name))) return error(400, 'syncTokenWithRequestRestrictions');
    let since = 0;
    if (syncToken) {
      const [, generation, position] = /^sync-(\d+)-(\d+)$/.exec(syncToken) ?? [];
      since = Number(position);
      if (Number(generation) !== this.generation || !Number.isInteger(since) || since > this.log.length) return error(410, 'fullSyncRequired');
    }
    const latest = new Map<string, Item>();
    for (const item of this.log.slice(since)) latest.set(item.id, item);
    let items = [...latest.values()];
    if (!syncToken) {
      items = items.filter((item) => item.status !== 'cancelled');
      const timeMin = q.get('timeMin');
      if (timeMin) items = items.filter((item) => endOf(item) > Date.parse(timeMin));
    }
    const offset = Number(q.get('pageToken') ?? 0);
    const page = items.slice(offset, offset + this.pageSize);
    const more = offset + this.pageSize < items.length;
    return { status: 200, body: { kind: 'calendar#events', items: page, ...(more ? { nextPageToken: String(offset + this.pageSize) } : { nextSyncToken: `sync-${this.generation}-${this.log.length}` }) } };
  }
}

function endOf(item: Item): number {
  const end = item.end as { dateTime?: string; date?: string } | undefined;
  return Date.parse(end?.dateTime ?? end?.date ?? '9999-12-31');
}
