import { createServer, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Answer, CalendarOAuthClientApp, CalendarOAuthServer, readBody } from './calendar-oauth';

type Item = Record<string, unknown> & { id: string };

export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  clientState: string | undefined;
  expirationDateTime: string;
}

/**
 * Microsoft Graph `/me/calendarView/delta`: the first call needs both startDateTime and endDateTime (400 without)
 * and accepts no $select/$filter/$orderby/$search/$expand; pages follow `@odata.nextLink` to an
 * `@odata.deltaLink`; a later deltaLink returns the changes since, deletions as `@removed`; a forgotten delta
 * state is a 410.
 */
export class GraphCalendarFake {
  readonly requests: string[] = [];
  private readonly log: (Item | { id: string; '@removed': { reason: string } })[] = [];
  /** Delta tokens carry the generation they were issued in; forgetting bumps it. */
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
  static async start(accessToken = 'eyJ.fake-graph-token', options: { clients?: CalendarOAuthClientApp[] } = {}): Promise<GraphCalendarFake> {
    let fake: GraphCalendarFake | undefined;
    const server = createServer((request, response) => {
      void fake!.route(request, () => fake!.handle(request.url ?? '/', request.headers.authorization)).then((answer) => {
        const headers = { 'content-type': 'application/json', ...answer.headers };
        response.writeHead(answer.status, headers).end(answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const oauth = new CalendarOAuthServer('microsoft', options.clients ?? [], 'Calendars.Read');
    fake = new GraphCalendarFake(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accessToken, oauth);
    return fake;
  }

  /** The OAuth endpoints, then the calendar API (`api`, already computed from the request). */
  private async route(request: import('node:http').IncomingMessage, api: () => { status: number; body: unknown }): Promise<Answer> {
    const url = new URL(request.url ?? '/', this.url);
    if (request.method === 'GET' && /^\/[A-Za-z0-9.-]+\/oauth2\/v2\.0\/authorize$/.test(url.pathname)) return this.oauth.authorize(url.searchParams);
    if (request.method === 'POST' && /^\/[A-Za-z0-9.-]+\/oauth2\/v2\.0\/token$/.test(url.pathname)) return this.oauth.token(request.headers, await readBody(request));
    if (url.pathname === '/v1.0/subscriptions' && request.method === 'POST') return this.subscribe(request.headers.authorization, await readBody(request));
    const one = /^\/v1\.0\/subscriptions\/([^/]+)$/.exec(url.pathname);
    if (one && (request.method === 'PATCH' || request.method === 'DELETE')) return this.changeSubscription(request.method, decodeURIComponent(one[1]), request.headers.authorization, await readBody(request));
    return api();
  }

  /** Live subscriptions by id (deleted ones are removed). */
  readonly subscriptions = new Map<string, GraphSubscription>();
  readonly deleted: string[] = [];
  /** What each notification delivery answered. */
  readonly deliveries: { subscriptionId: string; status: number }[] = [];

  /**
   * `POST /subscriptions`: changeType of created/updated/deleted, an event resource, an expiry in the future and at
   * most 4,230 minutes away, clientState at most 128 characters; before answering, the validation request
   * (`POST <notificationUrl>?validationToken=…`, text/plain) must be echoed as text/plain within 10 s.
   */
  private async subscribe(authorization: string | undefined, text: string): Promise<Answer> {
    const error = (status: number, code: string, message = code) => ({ status, body: { error: { code, message } } });
    if (!this.authorised(authorization)) return error(401, 'InvalidAuthenticationToken');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return error(400, 'BadRequest', 'body is not JSON');
    }
    const changeTypes = typeof body.changeType === 'string' ? body.changeType.split(',') : [];
    if (changeTypes.length === 0 || changeTypes.some((type) => !['created', 'updated', 'deleted'].includes(type))) return error(400, 'InvalidRequest', 'changeType');
    if (typeof body.resource !== 'string' || !/^\/?me\/(calendar\/)?events$/.test(body.resource)) return error(400, 'InvalidRequest', 'resource');
    const expires = Date.parse(String(body.expirationDateTime));
    if (Number.isNaN(expires) || expires <= Date.now() || expires > Date.now() + 4_230 * 60_000) return error(400, 'InvalidRequest', 'expirationDateTime');
    if (body.clientState !== undefined && (typeof body.clientState !== 'string' || body.clientState.length > 128)) return error(400, 'InvalidRequest', 'clientState');
    const notificationUrl = typeof body.notificationUrl === 'string' ? body.notificationUrl : '';
    if (!/^https:\/\//.test(notificationUrl) && !/^http:\/\/127\.0\.0\.1:\d+\//.test(notificationUrl)) return error(400, 'InvalidRequest', 'notificationUrl must be https');
    const validationToken = `Validation: ${randomUUID()}`;
    const validated = await fetch(`${notificationUrl}${notificationUrl.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(validationToken)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.timeout(10_000),
    }).then(
      async (response) => response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/plain') && (await response.text()) === validationToken,
      () => false,
    );
    if (!validated) return error(400, 'ValidationError', 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
    const subscription: GraphSubscription = {
      id: randomUUID(),
      resource: body.resource,
      changeType: changeTypes.join(','),
      notificationUrl,
      clientState: body.clientState as string | undefined,
      expirationDateTime: new Date(expires).toISOString(),
    };
    this.subscriptions.set(subscription.id, subscription);
    return { status: 201, body: subscription };
  }

  private changeSubscription(method: string, id: string, authorization: string | undefined, text: string): Answer {
    if (!this.authorised(authorization)) return { status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } };
    const subscription = this.subscriptions.get(id);
    if (!subscription) return { status: 404, body: { error: { code: 'ResourceNotFound', message: 'The object was not found.' } } };
    if (method === 'DELETE') {
      this.subscriptions.delete(id);
      this.deleted.push(id);
      return { status: 204 };
    }
    let expires = Number.NaN;
    try {
      expires = Date.parse(JSON.parse(text).expirationDateTime);
    } catch {
      // refused below
    }
    if (Number.isNaN(expires) || expires <= Date.now() || expires > Date.now() + 4_230 * 60_000) return { status: 400, body: { error: { code: 'InvalidRequest', message: 'expirationDateTime' } } };
    subscription.expirationDateTime = new Date(expires).toISOString();
    return { status: 200, body: subscription };
  }

  /** Something changed: every live subscription gets a change notification (Graph expects a 2xx, 202 by its docs). */
  async notify(clientState?: string): Promise<number[]> {
    return Promise.all(
      [...this.subscriptions.values()].map(async (subscription) => {
        const value = [{ subscriptionId: subscription.id, subscriptionExpirationDateTime: subscription.expirationDateTime, changeType: 'updated', resource: 'Users/me/Events/AAMk', clientState: clientState ?? subscription.clientState, tenantId: '' }];
        const status = await fetch(subscription.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }), signal: AbortSignal.timeout(10_000) }).then(
          (response) => response.status,
          () => 0,
        );
        this.deliveries.push({ subscriptionId: subscription.id, status });
        return status;
      }),
    );
  }

  /** The fixed token of the unit tests, or one the authorization server issued and still honours. */
  private authorised(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    return token !== undefined && (token === this.accessToken || this.oauth.acceptsAccessToken(token));
  }

  put(item: Item): void {
    this.log.push(item);
  }

  remove(id: string): void {
    this.log.push({ id, '@removed': { reason: 'deleted' } });
  }

  /** Every delta link issued so far answers 410 (sync state not found). */
  forgetDeltaState(): void {
    this.generation += 1;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(rawUrl: string, authorization: string | undefined): { status: number; body: unknown } {
    const url = new URL(rawUrl, this.url);
    const error = (status: number, code: string) => ({ status, body: { error: { code, message: code } } });
    if (url.pathname !== '/v1.0/me/calendarView/delta') return error(404, 'ResourceNotFound');
    if (!this.authorised(authorization)) return error(401, 'InvalidAuthenticationToken');
    this.requests.push(rawUrl);
    const q = url.searchParams;
    if (['$select', '$filter', '$orderby', '$search', '$expand'].some((name) => q.has(name))) return error(400, 'ErrorInvalidUrlQuery');
    const deltaToken = q.get('$deltatoken');
    let since = 0;
    if (deltaToken !== null) {
      const [generation, position] = deltaToken.split('.').map(Number);
      since = position;
      if (generation !== this.generation || !Number.isInteger(since) || since > this.log.length) return error(410, 'SyncStateNotFound');
    } else if (!q.get('startDateTime') || !q.get('endDateTime')) {
      return error(400, 'ErrorInvalidParameter');
    }
    const latest = new Map<string, (typeof this.log)[number]>();
    for (const item of this.log.slice(since)) latest.set(item.id, item);
    const items = [...latest.values()].filter((item) => deltaToken !== null || !('@removed' in item));
    const offset = Number(q.get('$skiptoken') ?? 0);
    const page = items.slice(offset, offset + this.pageSize);
    const link = (name: string, value: string | number) => `${this.url}/v1.0/me/calendarView/delta?${name}=${value}`;
    const more = offset + this.pageSize < items.length;
    const base = deltaToken !== null ? `$deltatoken=${deltaToken}&` : `startDateTime=${q.get('startDateTime')}&endDateTime=${q.get('endDateTime')}&`;
    return {
      status: 200,
      body: { value: page, ...(more ? { '@odata.nextLink': `${this.url}/v1.0/me/calendarView/delta?${base}$skiptoken=${offset + this.pageSize}` } : { '@odata.deltaLink': link('$deltatoken', `${this.generation}.${this.log.length}`) }) },
    };
  }
}
