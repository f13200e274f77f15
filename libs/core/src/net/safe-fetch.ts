import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isBlockedAddress, parseFetchableUrl, UnsafeUrlError } from './ssrf-guard';

export interface SafeFetchOptions {
  /** Skip the address checks (ALLOW_PRIVATE_URLS=true: tests and local development). */
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  maxRedirects?: number;
  /** GET by default; webhooks POST a body. */
  method?: 'GET' | 'POST';
  body?: string;
  /** false: a 3xx is returned as it is (webhooks must not follow redirects). */
  followRedirects?: boolean;
  /** Name resolution (tests inject one); the default is the system resolver. */
  lookup?: typeof dnsLookup;
  /** Which connected addresses are refused (tests narrow it); the default is `isBlockedAddress`. */
  isBlocked?: (address: string) => boolean;
}

export interface SafeFetchResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The answer was bigger than `maxBytes`; nothing beyond the cap was read. */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`response larger than ${maxBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** The server could not be reached or did not answer in time; `reason` never contains the URL. */
export class FetchFailedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FetchFailedError';
  }
}

/**
 * GET a URL a user gave us without letting it reach our own network (SSRF). The name is resolved by a `lookup`
 * hooked into the socket, so the address refused is the one actually connected (no DNS-rebinding gap between a
 * check and the connection). Redirects are followed by hand, each hop checked again; the body is capped.
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<SafeFetchResponse> {
  let current = parseFetchableUrl(url, options.allowPrivate);
  for (let hop = 0; ; hop++) {
    const answer = await fetchOnce(current, options);
    const location = answer.headers.location;
    if (answer.status < 300 || answer.status >= 400 || answer.status === 304 || !location || options.followRedirects === false) return answer;
    if (hop >= (options.maxRedirects ?? 5)) throw new FetchFailedError('too many redirects');
    current = parseFetchableUrl(new URL(location, current).toString(), options.allowPrivate);
  }
}

function guardedLookup(options: SafeFetchOptions): LookupFunction {
  const resolve = options.lookup ?? dnsLookup;
  const blocked = options.isBlocked ?? isBlockedAddress;
  return ((hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const list = addresses as LookupAddress[];
      if (!options.allowPrivate && list.some((entry) => blocked(entry.address))) {
        return callback(new UnsafeUrlError('resolves to a private, loopback or link-local address'));
      }
      if (lookupOptions.all) return callback(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  }) as unknown as LookupFunction;
}

function fetchOnce(url: URL, options: SafeFetchOptions): Promise<SafeFetchResponse> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // A literal address skips `lookup` in Node, so it is checked here with the same predicate.
  if (!options.allowPrivate && isIP(host) !== 0 && (options.isBlocked ?? isBlockedAddress)(host)) {
    return Promise.reject(new UnsafeUrlError('points at a private, loopback or link-local address'));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: options.method ?? 'GET', headers: options.headers, lookup: guardedLookup(options), timeout: options.timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          request.destroy();
          reject(new ResponseTooLargeError(options.maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error) => reject(new FetchFailedError(`connection failed: ${error.message}`)));
    });
    const timer = setTimeout(() => request.destroy(new FetchFailedError(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy(new FetchFailedError(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (error) => {
      if (error instanceof UnsafeUrlError || error instanceof FetchFailedError || error instanceof ResponseTooLargeError) reject(error);
      else reject(new FetchFailedError(describe(error as NodeJS.ErrnoException)));
    });
    request.end(options.body);
  });
}

/** The error code only: Node's messages can contain the host name, which may be part of a secret URL. */
function describe(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOTFOUND') return 'host name not found';
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  return `connection failed (${error.code ?? 'error'})`;
}
