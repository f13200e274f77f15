import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { FeedProblem } from '../feed-problem';
import type { ProviderType } from './calendar-oauth';

/** Renew a channel or subscription this long before it expires (polls run every few minutes, so well in time). */
export const PUSH_RENEW_BEFORE_MS = 24 * 3_600_000;
/** Graph caps event subscriptions at 4,230 minutes (the docs' table; the live page says more): stay under it. */
const GRAPH_LIFETIME_MS = 4_200 * 60_000;
/** Google's channel lifetime for events is about a week; we ask for it and read what is granted. */
const GOOGLE_TTL_SECONDS = 7 * 86_400;

export interface PushChannelInfo {
  channelId: string;
  resourceId: string | null;
  expiresAt: Date;
}

export interface PushAccess {
  apiUrl: string;
  accessToken: string;
  timeoutMs: number;
}

/**
 * The secret a provider echoes with each notification (Google `X-Goog-Channel-Token`, Graph `clientState`):
 * HMAC-SHA256 of the calendar id under a key derived from the token-encryption key, so there is nothing more to
 * store or rotate. Every configured key is tried when checking, so channels opened before a key rotation keep
 * working until they are renewed. Only the calendar's current channel id is looked up, so an old channel's
 * notifications find nothing.
 */
export function pushToken(encryptionKey: Buffer, calendarId: string): string {
  const key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'calendar-push', 32));
  return createHmac('sha256', key).update(calendarId).digest('base64url');
}

export function isPushTokenValid(encryptionKeys: Buffer[], calendarId: string, token: string): boolean {
  const given = Buffer.from(token);
  return encryptionKeys.some((key) => {
    const expected = Buffer.from(pushToken(key, calendarId));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

export const pushAddress = (publicBaseUrl: string, type: ProviderType) => `${publicBaseUrl}/api/v1/calendars/push/${type}`;

async function send(method: string, url: string, accessToken: string, timeoutMs: number, body?: unknown): Promise<{ status: number; body: any }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new FeedProblem('the calendar provider could not be reached to set up change notifications', false);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: only the status matters then
  }
  return { status: response.status, body: parsed };
}

const failed = (what: string, status: number, body: any) =>
  new FeedProblem(`${what} answered HTTP ${status}${typeof body?.error?.code === 'string' ? ` (${body.error.code})` : ''}`, status < 500 && status !== 429);

/**
 * Opens a channel (Google `events.watch`) or a subscription (Graph `POST /subscriptions`, which first calls our
 * notification URL with a `validationToken` to echo) that notifies `address` of changes to the primary calendar.
 */
export async function openPushChannel(type: ProviderType, access: PushAccess, address: string, token: string): Promise<PushChannelInfo> {
  const base = access.apiUrl.replace(/\/+$/, '');
  if (type === 'google') {
    const channelId = randomUUID();
    const answer = await send('POST', `${base}/calendar/v3/calendars/primary/events/watch`, access.accessToken, access.timeoutMs, {
      id: channelId,
      type: 'web_hook',
      address,
      token,
      params: { ttl: String(GOOGLE_TTL_SECONDS) },
    });
    if (answer.status !== 200) throw failed('Google events.watch', answer.status, answer.body);
    const expiresAt = new Date(Number(answer.body?.expiration));
    if (Number.isNaN(expiresAt.getTime())) throw new FeedProblem('Google events.watch answered without an expiration', false);
    return { channelId, resourceId: typeof answer.body?.resourceId === 'string' ? answer.body.resourceId : null, expiresAt };
  }
  const answer = await send('POST', `${base}/v1.0/subscriptions`, access.accessToken, access.timeoutMs, {
    changeType: 'created,updated,deleted',
    notificationUrl: address,
    resource: 'me/events',
    expirationDateTime: new Date(Date.now() + GRAPH_LIFETIME_MS).toISOString(),
    clientState: token,
  });
  if (answer.status !== 201) throw failed('Microsoft Graph subscriptions', answer.status, answer.body);
  const expiresAt = new Date(answer.body?.expirationDateTime);
  if (typeof answer.body?.id !== 'string' || Number.isNaN(expiresAt.getTime())) throw new FeedProblem('Microsoft Graph answered a subscription without id or expiry', false);
  return { channelId: answer.body.id, resourceId: null, expiresAt };
}

/** Graph subscriptions are extended in place; Google channels cannot be (a new one is opened, the old one stopped). */
export async function renewPushChannel(type: ProviderType, access: PushAccess, channel: PushChannelInfo): Promise<PushChannelInfo | null> {
  if (type === 'google') return null;
  const base = access.apiUrl.replace(/\/+$/, '');
  const answer = await send('PATCH', `${base}/v1.0/subscriptions/${encodeURIComponent(channel.channelId)}`, access.accessToken, access.timeoutMs, {
    expirationDateTime: new Date(Date.now() + GRAPH_LIFETIME_MS).toISOString(),
  });
  if (answer.status === 404) return null;
  if (answer.status !== 200) throw failed('Microsoft Graph subscriptions', answer.status, answer.body);
  return { ...channel, expiresAt: new Date(answer.body?.expirationDateTime ?? Date.now() + GRAPH_LIFETIME_MS) };
}

/** Stops a channel (`channels.stop`) or deletes a subscription; one already gone counts as stopped. */
export async function closePushChannel(type: ProviderType, access: PushAccess, channel: { channelId: string; resourceId: string | null }): Promise<void> {
  const base = access.apiUrl.replace(/\/+$/, '');
  const answer =
    type === 'google'
      ? await send('POST', `${base}/calendar/v3/channels/stop`, access.accessToken, access.timeoutMs, { id: channel.channelId, resourceId: channel.resourceId })
      : await send('DELETE', `${base}/v1.0/subscriptions/${encodeURIComponent(channel.channelId)}`, access.accessToken, access.timeoutMs);
  if (answer.status >= 300 && answer.status !== 404) throw failed(type === 'google' ? 'Google channels.stop' : 'Microsoft Graph subscriptions', answer.status, answer.body);
}

