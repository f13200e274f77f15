import { BusySpan, CalendarFeedError, CalendarRules, CalendarSource, GoogleEventItem, GraphEventItem, preview, PreviewResult, PreviewWindow } from '@statusync/calendar';
import { FeedProblem } from './feed-problem';
import { FeedFetchOptions, fetchIcsFeed, FeedValidators } from './ics-feed';
import { syncGoogleEvents } from './providers/google-sync';
import { syncGraphEvents } from './providers/graph-delta';
import { ProviderSyncState } from './providers/provider-http';

/** How a Google or Microsoft calendar is reached: its API, a valid access token, and the sync state so far. */
export interface ProviderAccess {
  apiUrl: string;
  accessToken: string;
  /** From the last read; `token: null` asks for a full round. */
  sync: ProviderSyncState<unknown>;
  /** Start of a full round (Google timeMin) and the window Graph keeps for every later delta round. */
  fullWindow: { from: Date; to: Date };
}

export interface CalendarToRead {
  type: 'ics' | 'google' | 'microsoft';
  url: string | null;
  ownerEmail: string | null;
  timeZone: string;
  rules: CalendarRules;
  /** Google/Microsoft only. */
  provider?: ProviderAccess;
}

export type CalendarRead =
  | { changed: false }
  | { changed: true; result: PreviewResult; etag: string | null; lastModified: string | null; sync?: ProviderSyncState<unknown> };

/**
 * The one path from a connected calendar to busy spans, used by the preview endpoint and the poller alike:
 * fetch the source (an ICS feed, Google `events.list` or Graph `calendarView/delta`), then `@statusync/calendar`'s
 * `preview` (the rules engine).
 */
export async function readCalendar(
  calendar: CalendarToRead,
  window: PreviewWindow,
  validators: FeedValidators,
  options: FeedFetchOptions,
): Promise<CalendarRead> {
  if (calendar.type !== 'ics') return readProvider(calendar, window, options);
  if (!calendar.url) throw new FeedProblem('the calendar has no feed address', true);
  const fetched = await fetchIcsFeed(calendar.url, validators, options);
  if (!fetched.changed) return fetched;
  const result = busyFrom(fetched.text, calendar, window, options.maxBytes);
  return { changed: true, result, etag: fetched.etag, lastModified: fetched.lastModified };
}

async function readProvider(calendar: CalendarToRead, window: PreviewWindow, options: FeedFetchOptions): Promise<CalendarRead> {
  const access = calendar.provider;
  if (!access) throw new FeedProblem(`the ${calendar.type} calendar is not connected yet: approve the connection at the provider`, true);
  const common = { baseUrl: access.apiUrl, accessToken: access.accessToken, timeoutMs: options.timeoutMs };
  const sync =
    calendar.type === 'google'
      ? await syncGoogleEvents(access.sync as ProviderSyncState<GoogleEventItem>, { ...common, since: access.fullWindow.from })
      : await syncGraphEvents(access.sync as ProviderSyncState<GraphEventItem>, { ...common, window: access.fullWindow });
  const items = Object.values(sync.items);
  const source = (calendar.type === 'google' ? { type: 'google', items } : { type: 'microsoft', items }) as CalendarSource;
  return { changed: true, result: busyOf(source, calendar, window, options.maxBytes), etag: null, lastModified: null, sync };
}

export function busyFrom(text: string, calendar: CalendarToRead, window: PreviewWindow, maxBytes: number): PreviewResult {
  return busyOf({ type: 'ics', text }, calendar, window, maxBytes);
}

function busyOf(source: CalendarSource, calendar: CalendarToRead, window: PreviewWindow, maxBytes: number): PreviewResult {
  try {
    return preview(source, window, calendar.rules, {
      ownerEmail: calendar.ownerEmail ?? undefined,
      userTimeZone: calendar.timeZone,
      limits: { maxBytes },
    });
  } catch (error) {
    if (error instanceof CalendarFeedError) throw new FeedProblem(`the ${source.type === 'ics' ? 'feed' : 'calendar'} is not usable: ${error.reason}`, true);
    throw error;
  }
}

/** A span's title as stored: the titles the rules let through, joined; null when hidden. */
export const spanTitle = (span: BusySpan): string | null => (span.titles && span.titles.length > 0 ? span.titles.join(' · ').slice(0, 500) : null);
