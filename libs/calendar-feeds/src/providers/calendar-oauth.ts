import type { CalendarProviderConfig } from '@statusync/core';
import { FeedProblem } from '../feed-problem';

export type ProviderType = 'google' | 'microsoft';

/** Tokens a calendar provider issued. Secrets: sealed at rest, never logged or returned. */
export interface CalendarTokens {
  accessToken: string;
  /** Null when the provider sent none (Google's refresh grant: its refresh tokens do not rotate). */
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string[];
}

/**
 * The provider refused a code or a refresh token (`invalid_grant`, `access_denied`, `invalid_client`...): permanent,
 * the person has to connect again. `code` is the provider's OAuth error code, safe to show.
 */
export class CalendarAuthError extends Error {
  constructor(readonly code: string) {
    super(`the provider answered ${code}`);
    this.name = 'CalendarAuthError';
  }
}

interface ProviderSettings {
  type: ProviderType;
  /** Scopes asked for; `required` must all come back granted. */
  scopes: string[];
  required: string[];
  /** Extra authorize parameters (Google: offline access and a consent screen, so a refresh token is issued). */
  authorizeParams: Record<string, string>;
  /** Graph answers scopes with the resource prefix; compare without it. */
  scopePrefix?: string;
}

const GOOGLE: ProviderSettings = {
  type: 'google',
  scopes: ['https://www.googleapis.com/auth/calendar.readonly'],
  required: ['https://www.googleapis.com/auth/calendar.readonly'],
  authorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'false' },
};

const MICROSOFT: ProviderSettings = {
  type: 'microsoft',
  scopes: ['Calendars.Read', 'offline_access'],
  required: ['Calendars.Read'],
  authorizeParams: { response_mode: 'query' },
  scopePrefix: 'https://graph.microsoft.com/',
};

/**
 * A calendar provider's OAuth 2.0 web flow (authorization code + PKCE S256, client secret in the form). Google and
 * the Microsoft identity platform (v2) differ only in scopes and parameters; Microsoft rotates refresh tokens
 * (keep the newest), Google does not (its refresh grant answers without one).
 */
export class CalendarOAuthClient {
  private constructor(
    private readonly settings: ProviderSettings,
    private readonly config: CalendarProviderConfig & { client: { id: string; secret: string } },
    private readonly timeoutMs: number,
  ) {}

  /** Null when the provider's client id and secret are not configured. */
  static for(type: ProviderType, config: CalendarProviderConfig, timeoutMs: number): CalendarOAuthClient | null {
    if (!config.client) return null;
    return new CalendarOAuthClient(type === 'google' ? GOOGLE : MICROSOFT, { ...config, client: config.client }, timeoutMs);
  }

  get type(): ProviderType {
    return this.settings.type;
  }

  get apiUrl(): string {
    return this.config.apiUrl;
  }

  authorizeUrl(request: { state: string; redirectUri: string; codeChallenge: string }): string {
    const url = new URL(this.config.authorizeUrl);
    const params = {
      client_id: this.config.client.id,
      response_type: 'code',
      redirect_uri: request.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...this.settings.authorizeParams,
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Exchanges the callback's code; refuses a grant without the calendar scope or without a refresh token. */
  async exchange(request: { code: string; redirectUri: string; codeVerifier: string }): Promise<CalendarTokens> {
    const tokens = await this.token({
      grant_type: 'authorization_code',
      code: request.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
      ...(this.settings.type === 'microsoft' ? { scope: this.settings.scopes.join(' ') } : {}),
    });
    const missing = this.settings.required.filter((scope) => !tokens.scopes.includes(scope));
    if (missing.length > 0) throw new CalendarAuthError(`insufficient_scope (not granted: ${missing.join(', ')})`);
    if (!tokens.refreshToken) throw new CalendarAuthError('no_refresh_token (offline access was not granted)');
    return tokens;
  }

  /** Trades a refresh token for a new access token (and, at Microsoft, a new refresh token: keep it). */
  async refresh(refreshToken: string): Promise<CalendarTokens> {
    return this.token({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...(this.settings.type === 'microsoft' ? { scope: this.settings.scopes.join(' ') } : {}),
    });
  }

  private async token(params: Record<string, string>): Promise<CalendarTokens> {
    const body = new URLSearchParams({ ...params, client_id: this.config.client.id, client_secret: this.config.client.secret });
    let response: Response;
    try {
      response = await fetch(this.config.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new FeedProblem(`the ${this.label} sign-in service could not be reached`, false);
    }
    const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.status >= 500 || response.status === 429) throw new FeedProblem(`the ${this.label} sign-in service answered HTTP ${response.status}`, false);
    if (!response.ok || !json || typeof json.access_token !== 'string') {
      const code = typeof json?.error === 'string' && /^[\w.-]{1,64}$/.test(json.error) ? json.error : `http_${response.status}`;
      throw new CalendarAuthError(code);
    }
    const expiresIn = Number(json.expires_in);
    return {
      accessToken: json.access_token,
      refreshToken: typeof json.refresh_token === 'string' && json.refresh_token !== '' ? json.refresh_token : null,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000) : null,
      scopes: this.scopesOf(json.scope),
    };
  }

  private scopesOf(value: unknown): string[] {
    const prefix = this.settings.scopePrefix;
    return String(value ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((scope) => (prefix && scope.startsWith(prefix) ? scope.slice(prefix.length) : scope));
  }

  private get label(): string {
    return this.settings.type === 'google' ? 'Google' : 'Microsoft';
  }
}
