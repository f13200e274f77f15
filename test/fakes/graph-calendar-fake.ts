import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

type Item = Record<string, unknown> & { id: string };

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
  ) {}

  static async start(accessToken = 'eyJ.fake-graph-token'): Promise<GraphCalendarFake> {
    let fake: GraphCalendarFake | undefined;
    const server = createServer((request, response) => {
      const answer = fake!.handle(request.url ?? '/', request.headers.authorization);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new GraphCalendarFake(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accessToken);
    return fake;
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
    if (authorization !== `Bearer ${this.accessToken}`) return error(401, 'InvalidAuthenticationToken');
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
