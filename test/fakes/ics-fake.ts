import { createHash } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

interface Feed {
  status: number;
  text: string;
  etag: string | null;
  lastModified: string | null;
}

/**
 * A calendar feed server (an ICS "secret address" host): serves registered feeds with an ETag and
 * Last-Modified, answers 304 to a matching `If-None-Match` / `If-Modified-Since`, and can answer
 * 404/410/500 for a rotated or broken address. Every request is recorded with its headers.
 */
export class IcsFake {
  readonly requests: { path: string; headers: IncomingHttpHeaders; status: number }[] = [];
  private readonly feeds = new Map<string, Feed>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<IcsFake> {
    let fake: IcsFake | undefined;
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      const feed = fake!.feeds.get(path);
      const reply = (status: number, headers: Record<string, string> = {}, body = '') => {
        fake!.requests.push({ path, headers: request.headers, status });
        response.writeHead(status, headers).end(body);
      };
      if (request.method !== 'GET') return reply(405);
      if (!feed) return reply(404, { 'content-type': 'text/plain' }, 'Not Found');
      if (feed.status !== 200) return reply(feed.status, { 'content-type': 'text/plain' }, 'gone');
      const validators: Record<string, string> = {};
      if (feed.etag) validators.etag = feed.etag;
      if (feed.lastModified) validators['last-modified'] = feed.lastModified;
      const matches =
        (feed.etag !== null && request.headers['if-none-match'] === feed.etag) ||
        (feed.etag === null && feed.lastModified !== null && request.headers['if-modified-since'] === feed.lastModified);
      if (matches) return reply(304, validators);
      reply(200, { 'content-type': 'text/calendar; charset=utf-8', ...validators }, feed.text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new IcsFake(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  /** Serves `text` at `path` (a new ETag each time the text changes); returns the feed's full URL. */
  serve(path: string, text: string, options: { etag?: boolean; lastModified?: string } = {}): string {
    const etag = options.etag === false ? null : `"${createHash('sha1').update(text).digest('hex').slice(0, 16)}"`;
    this.feeds.set(path, { status: 200, text, etag, lastModified: options.lastModified ?? null });
    return `${this.url}${path}`;
  }

  /** The address now answers `status` (404/410: the secret link was reset; 500: the host is down). */
  fail(path: string, status: number): void {
    const feed = this.feeds.get(path) ?? { text: '', etag: null, lastModified: null };
    this.feeds.set(path, { ...feed, status });
  }

  requestsTo(path: string) {
    return this.requests.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
