import { GoogleEventItem } from '@statusync/calendar';
import { FeedProblem } from '../feed-problem';
import { providerGet, ProviderSyncState } from './provider-http';

const PAGE_SIZE = 2500;
const MAX_PAGES = 50;

export interface GoogleSyncOptions {
  /** e.g. https://www.googleapis.com (a fake in tests). */
  baseUrl: string;
  accessToken: string;
  timeoutMs: number;
  /** Start of the first full sync (Google cannot combine timeMin with a syncToken later). */
  since: Date;
}

/**
 * Google Calendar `events.list` incremental sync. The first read lists every instance from `since` (singleEvents,
 * so recurrences come expanded); later reads send only the `syncToken` (Google refuses it combined with timeMin,
 * timeMax or orderBy) and get the changes, cancelled instances included, which are dropped from the stored set.
 * A 410 means the token expired: start again with a full sync.
 */
export async function syncGoogleEvents(state: ProviderSyncState<GoogleEventItem>, options: GoogleSyncOptions): Promise<ProviderSyncState<GoogleEventItem>> {
  const full = state.token === null;
  const items: Record<string, GoogleEventItem> = full ? {} : { ...state.items };
  let pageToken: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ singleEvents: 'true', maxResults: String(PAGE_SIZE) });
    if (full) query.set('timeMin', options.since.toISOString());
    else query.set('syncToken', state.token!);
    if (pageToken) query.set('pageToken', pageToken);
    const answer = await providerGet(`${options.baseUrl.replace(/\/+$/, '')}/calendar/v3/calendars/primary/events?${query}`, options.accessToken, options.timeoutMs);
    if (answer.status === 410 && !full) return syncGoogleEvents({ token: null, items: {} }, options);
    if (answer.status !== 200) throw new FeedProblem(`Google Calendar answered HTTP ${answer.status}`, answer.status < 500);
    for (const item of (answer.body?.items ?? []) as GoogleEventItem[]) {
      if (!item.id) continue;
      if (item.status === 'cancelled') delete items[item.id];
      else items[item.id] = item;
    }
    if (answer.body?.nextPageToken) {
      pageToken = answer.body.nextPageToken;
      continue;
    }
    if (!answer.body?.nextSyncToken) throw new FeedProblem('Google Calendar ended a listing without a sync token', false);
    return { token: answer.body.nextSyncToken, items };
  }
  throw new FeedProblem('Google Calendar returned too many pages', true);
}
