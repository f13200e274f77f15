import { GraphEventItem } from '@statusync/calendar';
import { FeedProblem } from '../feed-problem';
import { providerGet, ProviderSyncState } from './provider-http';

const MAX_PAGES = 50;

export interface GraphDeltaOptions {
  /** e.g. https://graph.microsoft.com (a fake in tests). */
  baseUrl: string;
  accessToken: string;
  timeoutMs: number;
  /** The calendar-view window of the first (full) round; Graph keeps it for every later deltaLink. */
  window: { from: Date; to: Date };
}

/**
 * Microsoft Graph `calendarView/delta`. The first round passes the window (both ends are required) and follows
 * `@odata.nextLink` to an `@odata.deltaLink`; later rounds call the stored deltaLink as is and apply the changes
 * (`@removed` items are dropped). A 410 (sync state gone) starts again with a full round.
 */
export async function syncGraphEvents(state: ProviderSyncState<GraphEventItem>, options: GraphDeltaOptions): Promise<ProviderSyncState<GraphEventItem>> {
  const full = state.token === null;
  const items: Record<string, GraphEventItem> = full ? {} : { ...state.items };
  const base = options.baseUrl.replace(/\/+$/, '');
  const window = new URLSearchParams({ startDateTime: options.window.from.toISOString(), endDateTime: options.window.to.toISOString() });
  let next = full ? `${base}/v1.0/me/calendarView/delta?${window}` : state.token!;
  if (!next.startsWith(`${base}/`)) throw new FeedProblem('the stored Microsoft delta link points elsewhere', true);
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await providerGet(next, options.accessToken, options.timeoutMs, { prefer: 'odata.maxpagesize=500' });
    if (answer.status === 410 && !full) return syncGraphEvents({ token: null, items: {} }, options);
    if (answer.status !== 200) throw new FeedProblem(`Microsoft Graph answered HTTP ${answer.status}`, answer.status < 500);
    for (const item of (answer.body?.value ?? []) as GraphEventItem[]) {
      if (!item.id) continue;
      if (item['@removed'] !== undefined) delete items[item.id];
      else items[item.id] = item;
    }
    const nextLink = answer.body?.['@odata.nextLink'];
    const deltaLink = answer.body?.['@odata.deltaLink'];
    if (typeof nextLink === 'string') {
      next = nextLink;
      continue;
    }
    if (typeof deltaLink !== 'string') throw new FeedProblem('Microsoft Graph ended a delta round without a delta link', false);
    return { token: deltaLink, items };
  }
  throw new FeedProblem('Microsoft Graph returned too many pages', true);
}
