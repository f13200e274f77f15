/**
 * GitHub's OAuth App web flow for the GitHub fake:
 *
 *   GET  /login/oauth/authorize     client_id, redirect_uri, scope, state, code_challenge(+_method=S256)
 *                                   → 302 redirect_uri?code=…&state=…  (or ?error=access_denied / redirect_uri_mismatch)
 *   POST /login/oauth/access_token  client_id, client_secret (body or Basic), code, redirect_uri, code_verifier
 *                                   → {access_token, token_type, scope}; JSON with `Accept: application/json`,
 *                                     form-encoded otherwise; errors are HTTP 200 {error, error_description}
 *
 * Who approves: the `login` query parameter (on GitHub it only suggests an account; here it picks one), else
 * the user signed in with GithubFake.oauthLoginAs(). Codes live 10 minutes and work once; presenting a used
 * code again also revokes the token it produced (RFC 6749 §4.1.2). The issued `gho_` token is a valid token
 * of the GraphQL fake with the granted scopes.
 */
import { GithubState } from './github-state';
import { FakeHttpError, FakeReply, FakeRequest, FakeRoute, jsonReply } from './http-helpers';
import {
  clientCredentials,
  errorPage,
  FakeOAuthClient,
  isUnder,
  isValidCodeVerifier,
  IssuedCode,
  parseHttpUrl,
  randomSecret,
  redirectTo,
  requestParams,
  s256,
} from './oauth-helpers';

export interface GithubOAuthClient extends FakeOAuthClient {
  /**
   * The app's "Authorization callback URL". When set, redirect_uri must be this URL or a path below it on the
   * same host and port, as on GitHub, and it is the default redirect when authorize gets none.
   */
  callbackUrl?: string;
}

/** One call to an OAuth endpoint, for inspection (secrets and codes left out). */
export interface GithubOAuthRecord {
  at: number;
  endpoint: 'authorize' | 'access_token';
  clientId: string | null;
  /** The GitHub user the code was (or would have been) issued for. */
  login: string | null;
  /** The error answered, or null on success. */
  error: string | null;
  /** access_token: whether the caller asked for JSON. */
  json?: boolean;
  /** access_token: whether a code_verifier was sent. */
  codeVerifierSent?: boolean;
}

interface GithubCode extends IssuedCode {
  login: string;
  scopes: string[];
  codeChallenge: string | null;
  /** The token this code was exchanged for (revoked if the code is presented again). */
  issuedToken: string | null;
}

const CODE_LIFETIME_MS = 10 * 60_000;
const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

const ERRORS = {
  incorrect_client_credentials: 'The client_id and/or client_secret passed are incorrect.',
  bad_verification_code: 'The code passed is incorrect or expired.',
  redirect_uri_mismatch: 'The redirect_uri MUST match the registered callback URL for this application.',
  bad_code_verifier: 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
} as const;
type GithubTokenError = keyof typeof ERRORS;

export class GithubOAuth {
  readonly clients = new Map<string, GithubOAuthClient>();
  readonly records: GithubOAuthRecord[] = [];
  private readonly codes = new Map<string, GithubCode>();
  private signedIn: { login: string; grantScopes?: string[] } | null = null;
  private declineNext = false;

  constructor(
    private readonly state: GithubState,
    private readonly codeLifetimeMs = CODE_LIFETIME_MS,
  ) {}

  addClient(client: GithubOAuthClient): void {
    if (!client.clientId || !client.clientSecret) throw new FakeHttpError(400, 'clientId and clientSecret must be non-empty');
    if (client.callbackUrl !== undefined && !parseHttpUrl(client.callbackUrl)) throw new FakeHttpError(400, 'callbackUrl must be an http(s) URL');
    this.clients.set(client.clientId, { ...client });
  }

  /** The person "signed in to github.com" who approves authorize requests without `login`; null signs out. */
  loginAs(login: string | null, opts: { grantScopes?: string[] } = {}): void {
    this.signedIn = login === null ? null : { login, grantScopes: opts.grantScopes };
  }

  /** The next authorize request is declined by the person (redirect with error=access_denied). */
  declineNextAuthorization(): void {
    this.declineNext = true;
  }

  /** Forgets codes, records, the signed-in person and a pending decline; keeps the clients. */
  reset(): void {
    this.codes.clear();
    this.records.length = 0;
    this.signedIn = null;
    this.declineNext = false;
  }

  routes(): FakeRoute[] {
    return [
      { method: 'GET', path: '/login/oauth/authorize', api: true, handle: (req) => this.authorize(req) },
      { method: 'POST', path: '/login/oauth/access_token', api: true, handle: (req) => this.accessToken(req) },
    ];
  }

  private authorize(req: FakeRequest): FakeReply {
    const q = Object.fromEntries(req.query);
    const record: GithubOAuthRecord = { at: req.receivedAt, endpoint: 'authorize', clientId: q.client_id ?? null, login: null, error: null };
    this.records.push(record);
    const page = (status: number, error: string, message: string) => {
      record.error = error;
      return errorPage(status, message);
    };

    const client = q.client_id ? this.clients.get(q.client_id) : undefined;
    if (!client) return page(404, 'unknown_client', 'No OAuth app has this client_id.');

    const redirectUri = q.redirect_uri ?? client.callbackUrl;
    if (!redirectUri || !parseHttpUrl(redirectUri)) return page(400, 'invalid_redirect_uri', 'redirect_uri is missing or not an http(s) URL.');
    if (client.callbackUrl && !isUnder(redirectUri, client.callbackUrl)) {
      // GitHub sends the person back to the registered callback URL, not to the one asked for.
      record.error = 'redirect_uri_mismatch';
      return redirectTo(client.callbackUrl, { error: 'redirect_uri_mismatch', error_description: ERRORS.redirect_uri_mismatch, error_uri: DOCS, state: q.state });
    }
    const back = (params: Record<string, string | undefined>) => redirectTo(redirectUri, { ...params, state: q.state });

    const challenge = q.code_challenge;
    const method = q.code_challenge_method;
    if (challenge !== undefined || method !== undefined) {
      // GitHub supports S256 only; a plain or missing method is refused.
      if (method !== 'S256' || !challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
        record.error = 'invalid_request';
        return back({ error: 'invalid_request', error_description: 'code_challenge must be 43 base64url characters with code_challenge_method=S256.' });
      }
    }

    const login = q.login || this.signedIn?.login;
    if (!login) return page(401, 'login_required', 'Nobody is signed in: pass login=… or call GithubFake.oauthLoginAs().');
    record.login = login;
    if (this.declineNext) {
      this.declineNext = false;
      record.error = 'access_denied';
      return back({ error: 'access_denied', error_description: 'The user has denied your application access.', error_uri: DOCS });
    }

    const requested = (q.scope ?? '').split(/[\s,]+/).filter(Boolean);
    const granted = this.signedIn?.login === login && this.signedIn.grantScopes ? this.signedIn.grantScopes : requested;
    const code = randomSecret('', 10);
    this.codes.set(code, {
      code,
      clientId: client.clientId,
      redirectUri: q.redirect_uri,
      expiresAtMs: this.state.now() + this.codeLifetimeMs,
      used: false,
      login,
      scopes: [...new Set(granted)],
      codeChallenge: challenge ?? null,
      issuedToken: null,
    });
    return back({ code });
  }

  private accessToken(req: FakeRequest): FakeReply {
    const params = requestParams(req);
    const json = /application\/json/i.test(String(req.headers.accept ?? ''));
    const { clientId, clientSecret } = clientCredentials(req.headers, params);
    const record: GithubOAuthRecord = {
      at: req.receivedAt,
      endpoint: 'access_token',
      clientId: clientId ?? null,
      login: null,
      error: null,
      json,
      codeVerifierSent: params.code_verifier !== undefined,
    };
    this.records.push(record);
    const answer = (body: Record<string, string>) => (json ? jsonReply(200, body) : formReply(body));
    const refuse = (error: GithubTokenError) => {
      record.error = error;
      return answer({ error, error_description: ERRORS[error], error_uri: DOCS });
    };

    const client = clientId ? this.clients.get(clientId) : undefined;
    if (!client || client.clientSecret !== clientSecret) return refuse('incorrect_client_credentials');

    const code = params.code ? this.codes.get(params.code) : undefined;
    if (!code || code.clientId !== client.clientId) return refuse('bad_verification_code');
    record.login = code.login;
    if (code.used) {
      if (code.issuedToken) this.state.revokeToken(code.issuedToken);
      return refuse('bad_verification_code');
    }
    // Presented once with valid client credentials: burnt, whatever happens next.
    code.used = true;
    if (code.expiresAtMs <= this.state.now()) return refuse('bad_verification_code');

    const redirectUri = params.redirect_uri;
    if (code.redirectUri !== undefined ? redirectUri !== code.redirectUri : redirectUri !== undefined && !!client.callbackUrl && !isUnder(redirectUri, client.callbackUrl)) {
      return refuse('redirect_uri_mismatch');
    }
    if (code.codeChallenge !== null) {
      const verifier = params.code_verifier;
      if (!verifier || !isValidCodeVerifier(verifier) || s256(verifier) !== code.codeChallenge) return refuse('bad_code_verifier');
    }

    const token = randomSecret('gho_', 18);
    this.state.addToken(token, { login: code.login, scopes: code.scopes });
    code.issuedToken = token;
    return answer({ access_token: token, token_type: 'bearer', scope: code.scopes.join(',') });
  }
}

function formReply(body: Record<string, string>): FakeReply {
  return { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, text: new URLSearchParams(body).toString() };
}
