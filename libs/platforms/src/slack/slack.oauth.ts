import { LogLevel, OauthV2AccessResponse, WebClient } from '@slack/web-api';
import {
  AccountVerifier,
  AuthorizeRequest,
  CodeExchange,
  OAuthClientSettings,
  OAuthGrant,
  OAuthProvider,
  OAuthTokens,
  parseScopes,
} from '../oauth-provider';
import { PlatformAuthError, PlatformError } from '../platform-errors';
import { toSlackError } from './slack-errors';

const PLATFORM = 'slack';
/** User scopes for a status: write it, read it back. */
export const SLACK_OAUTH_USER_SCOPES = ['users.profile:write', 'users.profile:read'];
const REQUIRED_SCOPE = 'users.profile:write';

export interface SlackOAuthSettings extends OAuthClientSettings {
  /** Web API base (oauth.v2.access lives there), e.g. https://slack.com/api/. */
  apiUrl: string;
  /** Extra user scopes for features that need them (e.g. `dnd:write`). */
  extraUserScopes?: string[];
}

/**
 * Slack OAuth v2 for a user token (`authed_user`), with token rotation when the app has it enabled: then the
 * access token expires (`expires_in`) and a single-use refresh token buys the next pair.
 */
export class SlackOAuthProvider implements OAuthProvider {
  readonly platform = PLATFORM;
  private readonly client: WebClient;

  constructor(
    private readonly settings: SlackOAuthSettings,
    private readonly accounts: AccountVerifier,
    private readonly now: () => number = Date.now,
  ) {
    // No token: oauth.v2.access authenticates with the client credentials. Retries belong to our callers.
    this.client = new WebClient(undefined, {
      slackApiUrl: settings.apiUrl,
      timeout: settings.timeoutMs,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  }

  get userScopes(): string[] {
    return [...new Set([...SLACK_OAUTH_USER_SCOPES, ...(this.settings.extraUserScopes ?? [])])];
  }

  /** Slack's v2 flow has no PKCE for this kind of app: the state and the exact redirect_uri bind the code. */
  authorizeUrl({ state, redirectUri }: AuthorizeRequest): string {
    const url = new URL('/oauth/v2/authorize', this.settings.url);
    url.search = new URLSearchParams({
      client_id: this.settings.clientId,
      user_scope: this.userScopes.join(','),
      redirect_uri: redirectUri,
      state,
    }).toString();
    return url.toString();
  }

  async exchange({ code, redirectUri }: CodeExchange): Promise<OAuthGrant> {
    const answer = await this.call({ code, redirect_uri: redirectUri });
    const user = answer.authed_user;
    if (!user?.access_token || user.token_type !== 'user') {
      throw new PlatformAuthError(PLATFORM, 'no_user_token', 'Slack did not issue a user token; the app must ask for user scopes');
    }
    const scopes = parseScopes(user.scope);
    if (!scopes.includes(REQUIRED_SCOPE)) throw new PlatformAuthError(PLATFORM, 'missing_scope', `The authorisation lacks the ${REQUIRED_SCOPE} scope`);
    const account = await this.accounts.verify(user.access_token);
    // The token must act for the person Slack says approved: anything else is a mix-up we refuse to store.
    if (user.id && account.accountId !== user.id) {
      throw new PlatformAuthError(PLATFORM, 'account_mismatch', 'The issued token belongs to another Slack user than the one who approved');
    }
    return { ...this.tokens(user.access_token, user.refresh_token, user.expires_in, scopes), account };
  }

  async refresh(refreshToken: string): Promise<OAuthTokens> {
    const answer = await this.call({ grant_type: 'refresh_token', refresh_token: refreshToken });
    if (!answer.access_token || answer.token_type !== 'user' || !answer.refresh_token) {
      throw new PlatformAuthError(PLATFORM, 'no_user_token', 'Slack did not answer the refresh with a new user token pair');
    }
    return this.tokens(answer.access_token, answer.refresh_token, answer.expires_in, parseScopes(answer.scope));
  }

  private tokens(accessToken: string, refreshToken: string | undefined, expiresIn: number | undefined, scopes: string[]): OAuthTokens {
    return {
      accessToken,
      refreshToken: refreshToken ?? null,
      expiresAt: typeof expiresIn === 'number' && expiresIn > 0 ? new Date(this.now() + expiresIn * 1000) : null,
      scopes,
    };
  }

  private async call(params: Record<string, string>): Promise<OauthV2AccessResponse> {
    try {
      return await this.client.oauth.v2.access({ client_id: this.settings.clientId, client_secret: this.settings.clientSecret, ...params });
    } catch (error) {
      throw toSlackOAuthError(error);
    }
  }
}

/**
 * Any `ok: false` from oauth.v2.access (invalid_code, bad_redirect_uri, invalid_refresh_token, bad_client_secret,
 * ...) means "not granted", and asking again will not change that: a permanent PlatformAuthError with Slack's code.
 * Rate limits and Slack's own trouble stay transient, as for any Web API call.
 */
export function toSlackOAuthError(error: unknown): PlatformError {
  const mapped = toSlackError(error);
  return mapped.permanent && !(mapped instanceof PlatformAuthError) ? new PlatformAuthError(PLATFORM, mapped.code, mapped.message) : mapped;
}
