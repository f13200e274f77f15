import http from 'node:http';
import https from 'node:https';

/** Idle keep-alive sockets close after this long, before the usual 5 s of a server's own keep-alive timeout. */
const IDLE_SOCKET_MS = 4_000;

/**
 * The `fetch` given to the platform clients (@slack/web-api, @octokit/graphql): node:http over keep-alive agents,
 * the answer buffered whole. Node's built-in fetch (undici) spent a quarter of the worker's CPU per job on WHATWG
 * streams, abort plumbing and header lists for a request of a few hundred bytes (docs/decisions.md §35); this does
 * what the clients use and no more. It keeps fetch's contract where they depend on it:
 * - a failure to connect or a reset rejects with `TypeError('fetch failed')` carrying the socket's error as `cause`;
 * - an aborted signal (our timeout) rejects with the signal's reason (a `TimeoutError` DOMException), also while the
 *   body is still arriving;
 * - redirects are not followed (neither platform redirects an API call; Slack asks for `redirect: 'error'`): a 3xx
 *   comes back as it is and the client treats it as the HTTP error it is.
 * A body other than a string or bytes (a file upload, which we never send) goes to the built-in fetch.
 */
export function createPlatformFetch(): typeof fetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  };
  return (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body ?? undefined;
    if (input instanceof Request || (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
    const url = typeof input === 'string' ? new URL(input) : input;
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return fetch(input, init);
    return send(url, init, body, agent);
  };
}

function send(url: URL, init: RequestInit, body: string | Uint8Array | undefined, agent: http.Agent): Promise<Response> {
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const headers = plainHeaders(init.headers);
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    let settled = false;
    const finish = (error: unknown, response?: Response) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (response) resolve(response);
      else reject(error);
    };
    const onAbort = () => {
      finish(signal!.reason);
      request.destroy();
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => finish(null, new BufferedResponse(url.href, answer, Buffer.concat(chunks)) as unknown as Response));
      answer.on('error', (error) => finish(new TypeError('fetch failed', { cause: error })));
      answer.on('aborted', () => finish(new TypeError('fetch failed', { cause: new Error('the connection closed before the answer ended') })));
    });
    request.on('error', (error) => finish(new TypeError('fetch failed', { cause: error })));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

function plainHeaders(given: RequestInit['headers']): Record<string, string> {
  if (!given) return {};
  if (given instanceof Headers || Array.isArray(given)) return Object.fromEntries(new Headers(given));
  return Object.fromEntries(Object.entries(given).map(([name, value]) => [name, String(value)]));
}

/** What the clients read of an answer: status, headers, and the body once as text, JSON or bytes. */
class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers = new Headers();
  readonly redirected = false;
  readonly type = 'basic';
  readonly body = null;
  bodyUsed = false;

  constructor(
    readonly url: string,
    answer: http.IncomingMessage,
    private readonly bytes: Buffer,
  ) {
    this.status = answer.statusCode ?? 0;
    this.statusText = answer.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    const raw = answer.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) this.headers.append(raw[i], raw[i + 1]);
  }

  async text(): Promise<string> {
    return this.consume().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  private consume(): Buffer {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.bodyUsed = true;
    return this.bytes;
  }
}
