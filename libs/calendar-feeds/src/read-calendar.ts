import { BusySpan, CalendarFeedError, CalendarRules, preview, PreviewResult, PreviewWindow } from '@statusync/calendar';
import { FeedProblem } from './feed-problem';
import { FeedFetchOptions, fetchIcsFeed, FeedValidators } from './ics-feed';

export interface CalendarToRead {
  type: 'ics' | 'google' | 'microsoft';
  url: string | null;
  ownerEmail: string | null;
  timeZone: string;
  rules: CalendarRules;
}

export type CalendarRead = { changed: false } | { changed: true; result: PreviewResult; etag: string | null; lastModified: string | null };

/**
 * The one path from a connected calendar to busy spans, used by the preview endpoint and the poller alike:
 * fetch the source, then `@statusync/calendar`'s `preview` (the rules engine). Only ICS sources exist so far.
 */
export async function readCalendar(
  calendar: CalendarToRead,
  window: PreviewWindow,
  validators: FeedValidators,
  options: FeedFetchOptions,
): Promise<CalendarRead> {
  if (calendar.type !== 'ics' || !calendar.url) throw new FeedProblem(`${calendar.type} calendars cannot be read yet`, true);
  const fetched = await fetchIcsFeed(calendar.url, validators, options);
  if (!fetched.changed) return fetched;
  const result = busyFrom(fetched.text, calendar, window, options.maxBytes);
  return { changed: true, result, etag: fetched.etag, lastModified: fetched.lastModified };
}

export function busyFrom(text: string, calendar: CalendarToRead, window: PreviewWindow, maxBytes: number): PreviewResult {
  try {
    return preview({ type: 'ics', text }, window, calendar.rules, {
      ownerEmail: calendar.ownerEmail ?? undefined,
      userTimeZone: calendar.timeZone,
      limits: { maxBytes },
    });
  } catch (error) {
    if (error instanceof CalendarFeedError) throw new FeedProblem(`the feed is not usable: ${error.reason}`, true);
    throw error;
  }
}

/** A span's title as stored: the titles the rules let through, joined; null when hidden. */
export const spanTitle = (span: BusySpan): string | null => (span.titles && span.titles.length > 0 ? span.titles.join(' · ').slice(0, 500) : null);
