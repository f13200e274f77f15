import { AccountVerifier, AuthorizeRequest, CodeExchange, OAuthClientSettings, OAuthGrant, OAuthProvider, parseScopes } from '../oauth-provider';
import { PlatformAuthError, PlatformError, PlatformRateLimitError, PlatformUnavailableError, retryAfterMsFrom } from '../platform-errors';

const PLATFORM = 'github';
/** Classic scope that allows changeUserStatus; `read:user` does not. */
export const GITHUB_OAUTH_SCOPES = ['user'];

interface TokenAnswer {
  access_token?: unknown;
  scope?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/**
 * GitHub OAuth App web flow (docs: "Authorizing OAuth apps"). The token endpoint answers refusals with HTTP 200
 * and an `error` field, so the body decides, not the status. OAuth App tokens do not expire: no refresh.
 */
export class GithubOAuthProvider implements OAuthProvider {
  readonly platform = PLATFORM;

  constructor(
    private readonly settings: OAuthClientSettings,
    private readonly accounts: AccountVerifier,
  ) {}

  authorizeUrl({ state, redirectUri, codeChallenge }: AuthorizeRequest): string {
    const url = new URL('/login/oauth/authorize', this.settings.url);
    url.search = new URLSearchParams({
      client_id: this.settings.clientId,
      redirect_uri: redirectUri,
      scope: GITHUB_OAUTH_SCOPES.join(' '),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      // Connecting a status needs an existing account; do not offer a sign-up in the middle of it.
      allow_signup: 'false',
    }).toString();
    return url.toString();
  }

  async exchange({ code, redirectUri, codeVerifier }: CodeExchange): Promise<OAuthGrant> {
    const answer = await this.post({ code, redirect_uri: redirectUri, code_verifier: codeVerifier });
    if (typeof answer.error === 'string') {
      throw new PlatformAuthError(PLATFORM, answer.error, typeof answer.error_description === 'string' ? answer.error_description : `GitHub refused the code: ${answer.error}`);
    }
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new PlatformUnavailableError(PLATFORM, 'unexpected_answer', 'GitHub answered the token request without a token or an error');
    }
    const scopes = parseScopes(typeof answer.scope === 'string' ? answer.scope : '');
    const missing = GITHUB_OAUTH_SCOPES.filter((s) => !scopes.includes(s));
    if (missing.length > 0) {
      throw new PlatformAuthError(PLATFORM, 'insufficient_scopes', `The authorisation lacks the ${missing.join(', ')} scope needed to set a status`);
    }
    const account = await this.accounts.verify(answer.access_token);
    return { accessToken: answer.access_token, refreshToken: null, expiresAt: null, scopes, account };
  }

  private async post(params: Record<string, string>): Promise<TokenAnswer> {
    let response: Response;
    try {
      response = await fetch(new URL('/login/oauth/access_token', this.settings.url), {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'statusync' },
        body: new URLSearchParams({ client_id: this.settings.clientId, client_secret: this.settings.clientSecret, ...params }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      throw toTransportError(error);
    }
    if (response.status === 429 || response.status === 403) {
      const wait = retryAfterMsFrom(response.headers.get('retry-after'));
      if (response.status === 429 || wait !== undefined) throw new PlatformRateLimitError(PLATFORM, `http_${response.status}`, 'GitHub asked us to slow down', wait ?? 60_000);
    }
    if (!response.ok) throw new PlatformUnavailableError(PLATFORM, `http_${response.status}`, `GitHub answered the token request with HTTP ${response.status}`);
    try {
      return (await response.json()) as TokenAnswer;
    } catch (error) {
      throw new PlatformUnavailableError(PLATFORM, 'unexpected_answer', `GitHub's token answer is not JSON: ${(error as Error).message}`);
    }
  }
}

function toTransportError(error: unknown): PlatformError {
  const name = (error as { name?: string })?.name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  return new PlatformUnavailableError(PLATFORM, timedOut ? 'timeout' : 'network_error', (error as Error)?.message ?? String(error));
}
