import { PlatformAccount } from './platform-adapter';

/** What the browser is sent to the provider with. */
export interface AuthorizeRequest {
  /** Our signed, single-use state; the provider echoes it on the redirect. */
  state: string;
  /** Where the provider sends the browser back; must be registered with the provider's app. */
  redirectUri: string;
  /** PKCE S256 challenge (RFC 7636); providers without PKCE ignore it. */
  codeChallenge: string;
}

/** The callback's code, exchanged with what the authorize request was bound to. */
export interface CodeExchange {
  code: string;
  /** The same redirect URI as in the authorize request: providers refuse anything else. */
  redirectUri: string;
  /** PKCE verifier of the challenge sent with the authorize request. */
  codeVerifier: string;
}

/** Tokens a provider issued. Secrets: store them encrypted, never log or return them. */
export interface OAuthTokens {
  accessToken: string;
  /** Present when the provider rotates tokens (Slack with token rotation): single use, keep the newest only. */
  refreshToken: string | null;
  /** When the access token stops working; null when it does not expire. */
  expiresAt: Date | null;
  /** Scopes actually granted (a person may grant fewer than asked for). */
  scopes: string[];
}

/** A completed authorisation: the tokens and whose account they act for. */
export interface OAuthGrant extends OAuthTokens {
  account: PlatformAccount;
}

/**
 * One platform's OAuth web flow. Plain classes (no Nest), tested against the fakes. Failures are the typed errors of
 * `platform-errors.ts`: a code, grant or refresh token the provider refuses is a PlatformAuthError (permanent, with
 * the provider's error code); network trouble and 5xx are PlatformUnavailableError.
 */
export interface OAuthProvider {
  readonly platform: string;
  /** The provider's authorize URL for this request. */
  authorizeUrl(request: AuthorizeRequest): string;
  /** Exchanges the callback's code; checks the granted scopes and whose account it is. */
  exchange(request: CodeExchange): Promise<OAuthGrant>;
  /** Only providers that rotate tokens: trades a refresh token for a new pair (the old refresh token dies). */
  refresh?(refreshToken: string): Promise<OAuthTokens>;
}

/** The part of a PlatformAdapter an OAuth provider needs: who does this token belong to. */
export interface AccountVerifier {
  verify(token: string): Promise<PlatformAccount>;
}

/** Client credentials of our app at the provider, and where the provider lives. */
export interface OAuthClientSettings {
  /** Base URL of the provider's web front (https://github.com, https://slack.com, a GHES host). */
  url: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

/** Comma- or space-separated scope list as providers echo it. */
export const parseScopes = (value: string | null | undefined): string[] => [...new Set((value ?? '').split(/[\s,]+/).filter(Boolean))];
