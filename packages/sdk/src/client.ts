import createClient, { type Client } from 'openapi-fetch';
import { errorFrom } from './errors.js';
import type { paths } from './generated/openapi.js';
import { resilientFetch, type RetryOptions } from './resilient-fetch.js';
import { readEvents, type ServerSentEvent, type StreamOptions } from './sse.js';

export interface ClientOptions {
  /** The gateway's base URL, e.g. `https://statusync.example.com` (without `/api/v1`). */
  baseUrl: string;
  /** A bearer JWT, or a function giving one (called per request, so it can refresh). */
  token: string | (() => string | Promise<string>);
  /** Retries of 429/503 answers (see RetryOptions). */
  retry?: RetryOptions;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** What every resource helper shares: the typed openapi-fetch client and an authenticated fetch for streams. */
export interface Transport {
  raw: Client<paths>;
  baseUrl: string;
  stream(path: string, options?: StreamOptions): AsyncGenerator<ServerSentEvent>;
}

export function createTransport(options: ClientOptions): Transport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const base = options.fetch ?? globalThis.fetch.bind(globalThis);
  const authorised = async (request: Request): Promise<Response> => {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    request.headers.set('authorization', `Bearer ${token}`);
    return base(request);
  };
  const fetchWithManners = resilientFetch(authorised as typeof fetch, options.retry);
  const raw = createClient<paths>({ baseUrl, fetch: fetchWithManners });
  return {
    raw,
    baseUrl,
    async *stream(path, streamOptions = {}) {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (streamOptions.lastEventId) headers['last-event-id'] = streamOptions.lastEventId;
      const response = await fetchWithManners(new Request(`${baseUrl}${path}`, { headers, signal: streamOptions.signal }));
      if (!response.ok || !response.body) throw errorFrom(response, await response.json().catch(() => undefined));
      streamOptions.onOpen?.();
      yield* readEvents(response.body, streamOptions.signal);
    },
  };
}

/** The data of a 2xx answer, or the API's problem details thrown as a StatusyncError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok) throw errorFrom(result.response, result.error);
  return result.data as T;
}
