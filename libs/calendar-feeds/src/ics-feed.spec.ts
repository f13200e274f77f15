import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FeedProblem } from './feed-problem';
import { fetchIcsFeed, redactFeedUrl } from './ics-feed';
import { busyFrom } from './read-calendar';

describe('fetchIcsFeed', () => {
  let server: Server;
  let base: string;
  let seen: IncomingHttpHeaders[] = [];
  const options = { allowPrivate: true, timeoutMs: 2_000, maxBytes: 10_000 };

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      const status = Number(request.url!.slice(1)) || 200;
      if (status === 200 && request.headers['if-none-match'] === '"v1"') return void response.writeHead(304, { etag: '"v1"' }).end();
      response.writeHead(status, { etag: '"v1"', 'last-modified': 'Mon, 02 Mar 2026 09:00:00 GMT' }).end('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (seen = []));

  it('reads the body with its validators, then answers "unchanged" to a matching ETag', async () => {
    const first = await fetchIcsFeed(`${base}/`, { etag: null, lastModified: null }, options);
    expect(first).toMatchObject({ changed: true, etag: '"v1"', lastModified: 'Mon, 02 Mar 2026 09:00:00 GMT' });
    const second = await fetchIcsFeed(`${base}/`, { etag: '"v1"', lastModified: 'Mon, 02 Mar 2026 09:00:00 GMT' }, options);
    expect(second).toEqual({ changed: false });
    expect(seen[1]).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': 'Mon, 02 Mar 2026 09:00:00 GMT' });
  });

  it.each([
    [404, true],
    [410, true],
    [401, true],
    [403, true],
    [400, true],
    [429, false],
    [500, false],
    [503, false],
  ])('HTTP %i is a feed problem (permanent: %s) that never names the URL', async (status, permanent) => {
    const failure = await fetchIcsFeed(`${base}/${status}`, { etag: null, lastModified: null }, options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FeedProblem);
    expect(failure).toMatchObject({ permanent });
    expect((failure as Error).message).not.toContain(base);
  });

  it('an unreachable server is a transient problem; a private address without ALLOW_PRIVATE_URLS a permanent one', async () => {
    await expect(fetchIcsFeed('http://127.0.0.1:1/feed.ics', { etag: null, lastModified: null }, options)).rejects.toMatchObject({ permanent: false });
    await expect(fetchIcsFeed(`${base}/`, { etag: null, lastModified: null }, { ...options, allowPrivate: false })).rejects.toMatchObject({ permanent: true });
  });

  it('text that is not iCalendar is a permanent problem', () => {
    const calendar = { type: 'ics' as const, url: null, ownerEmail: null, timeZone: 'UTC', rules: {} };
    expect(() => busyFrom('<html>', calendar, { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' }, 10_000)).toThrow(FeedProblem);
  });

  it('redacts a feed URL to its scheme and host', () => {
    expect(redactFeedUrl('https://calendar.google.com/calendar/ical/a%40b/private-123/basic.ics')).toBe('https://calendar.google.com/…');
  });
});
