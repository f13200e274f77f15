import type { AppConfig, TokenCipher } from '@statusync/core';
import type { CalendarForRead, SealedCalendarTokens } from '@statusync/db';
import { FeedProblem } from '../feed-problem';
import { CalendarAuthError, CalendarOAuthClient, ProviderType } from './calendar-oauth';
import { ProviderUnauthorized } from './provider-http';
import { openCalendarToken, sealCalendarToken } from './provider-tokens';

/** An access token this close to expiry is refreshed before use rather than failing mid-read. */
const REFRESH_MARGIN_MS = 5 * 60_000;

const LABEL: Record<ProviderType, string> = { google: 'Google', microsoft: 'Microsoft' };

/** The configured providers' OAuth clients (absent when their client id and secret are not set). */
export function calendarOAuthClients(config: AppConfig): Partial<Record<ProviderType, CalendarOAuthClient>> {
  const clients: Partial<Record<ProviderType, CalendarOAuthClient>> = {};
  for (const type of ['google', 'microsoft'] as const) {
    const client = CalendarOAuthClient.for(type, config.calendars[type], config.calendars.fetchTimeoutMs);
    if (client) clients[type] = client;
  }
  return clients;
}

/**
 * Runs a read with a working access token: refreshed first when it is about to expire, and once more when the
 * provider answers 401. New tokens go to `store` (the caller holds the calendar's row lock, so two readers never
 * spend one refresh token); a rotated refresh token replaces the old one. A refresh the provider refuses
 * (`invalid_grant`: revoked, expired, password changed) is a permanent problem asking the person to reconnect.
 */
export async function withAccessToken<T>(
  calendar: CalendarForRead,
  cipher: TokenCipher,
  client: CalendarOAuthClient | undefined,
  store: (tokens: SealedCalendarTokens) => Promise<void>,
  read: (accessToken: string, apiUrl: string) => Promise<T>,
): Promise<T> {
  const type = calendar.type as ProviderType;
  if (!client) throw new FeedProblem(`${LABEL[type]} calendars are not configured on this server any more`, true);
  if (!calendar.accessToken || !calendar.refreshToken) throw new FeedProblem(`the ${LABEL[type]} calendar is not connected yet: approve the connection at ${LABEL[type]}`, true);
  const refreshToken = calendar.refreshToken;
  let refreshed = false;
  const refresh = async (): Promise<string> => {
    refreshed = true;
    let tokens;
    try {
      tokens = await client.refresh(openCalendarToken(cipher, calendar.userId, calendar.id, 'refresh', refreshToken));
    } catch (error) {
      if (error instanceof CalendarAuthError) throw new FeedProblem(`${LABEL[type]} refused our access (${error.code}): reconnect the calendar`, true);
      throw error;
    }
    await store({
      accessToken: sealCalendarToken(cipher, calendar.userId, calendar.id, 'access', tokens.accessToken),
      refreshToken: tokens.refreshToken ? sealCalendarToken(cipher, calendar.userId, calendar.id, 'refresh', tokens.refreshToken) : undefined,
      expiresAt: tokens.expiresAt,
    });
    return tokens.accessToken;
  };
  const expiresAt = calendar.tokenExpiresAt ? new Date(calendar.tokenExpiresAt).getTime() : null;
  const accessToken =
    expiresAt !== null && expiresAt - Date.now() < REFRESH_MARGIN_MS ? await refresh() : openCalendarToken(cipher, calendar.userId, calendar.id, 'access', calendar.accessToken);
  try {
    return await read(accessToken, client.apiUrl);
  } catch (error) {
    if (!(error instanceof ProviderUnauthorized) || refreshed) throw error;
    return read(await refresh(), client.apiUrl);
  }
}
