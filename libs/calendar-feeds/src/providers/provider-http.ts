import { FeedProblem } from '../feed-problem';

/** One GET to a calendar provider's API (a configured, trusted base URL) with a bearer token and a timeout. */
export async function providerGet(url: string, accessToken: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new FeedProblem('the calendar provider could not be reached', false);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    if (response.ok) throw new FeedProblem('the calendar provider answered something that is not JSON', false);
  }
  if (response.status === 401) throw new ProviderUnauthorized();
  if (response.status === 403) throw new FeedProblem('the calendar provider refused our access: connect the calendar again', true);
  if (response.status >= 500 || response.status === 429) throw new FeedProblem(`the calendar provider answered HTTP ${response.status}`, false);
  return { status: response.status, body };
}

/** Provider sync state kept between reads: the provider's token and every event it has told us about, by id. */
export interface ProviderSyncState<T> {
  token: string | null;
  items: Record<string, T>;
}

/** A 401: the access token is not (or no longer) accepted. Worth one refresh before the calendar counts as broken. */
export class ProviderUnauthorized extends FeedProblem {
  constructor() {
    super('the calendar provider refused our access: connect the calendar again', true);
    this.name = 'ProviderUnauthorized';
  }
}
