import { FetchFailedError, ResponseTooLargeError, safeFetch, UnsafeUrlError } from '@statusync/core';
import { FeedProblem } from './feed-problem';

export interface FeedFetchOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
}

/** What we saw last time: sent back so an unchanged feed answers 304 and costs nothing. */
export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}

export type FeedFetch = { changed: false } | { changed: true; text: string; etag: string | null; lastModified: string | null };

const GONE = [404, 410];
const REFUSED = [401, 403];

/**
 * Reads an ICS feed through the SSRF guard: conditional GET (`If-None-Match` / `If-Modified-Since`), size cap,
 * timeout. Errors become `FeedProblem`s with a reason the user can act on.
 */
export async function fetchIcsFeed(url: string, validators: FeedValidators, options: FeedFetchOptions): Promise<FeedFetch> {
  const headers: Record<string, string> = { accept: 'text/calendar, text/plain;q=0.5, */*;q=0.1', 'user-agent': 'statusync-calendar-poller' };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  let answer;
  try {
    answer = await safeFetch(url, { ...options, headers });
  } catch (error) {
    if (error instanceof UnsafeUrlError) throw new FeedProblem(`the feed address is not allowed: it ${error.reason}`, true);
    if (error instanceof ResponseTooLargeError) throw new FeedProblem(`the feed is larger than ${options.maxBytes} bytes`, true);
    if (error instanceof FetchFailedError) throw new FeedProblem(`the feed could not be reached: ${error.reason}`, false);
    throw error;
  }
  if (answer.status === 304) return { changed: false };
  if (GONE.includes(answer.status)) {
    throw new FeedProblem(`the feed answered ${answer.status}: the link was probably reset or unpublished; connect the calendar again with its new address`, true);
  }
  if (REFUSED.includes(answer.status)) throw new FeedProblem(`the feed answered ${answer.status}: it is not public or the link is no longer valid`, true);
  if (answer.status < 200 || answer.status >= 300) throw new FeedProblem(`the feed answered HTTP ${answer.status}`, answer.status < 500 && answer.status !== 429);
  return { changed: true, text: answer.body.toString('utf8'), etag: header(answer.headers.etag), lastModified: header(answer.headers['last-modified']) };
}

const header = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? value[0] : value) ?? null;

/** What a user may see of a capability URL: scheme and host only. */
export function redactFeedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}/…`;
}
