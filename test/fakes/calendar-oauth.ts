/**
 * The OAuth 2.0 authorization server half of the Google and Microsoft calendar fakes (authorization code + PKCE,
 * refresh grant), strict where the providers are: the client id and secret, the exact registered redirect URI,
 * `response_type=code`, PKCE S256 (a verifier that does not match is `invalid_grant`), a code used once and
 * within 10 minutes, the scopes the provider needs. Google issues a refresh token only with
 * `access_type=offline` and never rotates it; Microsoft rotates on every refresh (the fake retires the old one at
 * once, stricter than Microsoft, so a client that keeps an old refresh token fails).
 */
import { IncomingHttpHeaders } from 'node:http';
import { clientCredentials, isValidCodeVerifier, randomSecret, s256 } from './oauth-helpers';

export type CalendarOAuthStyle = 'google' | 'microsoft';

export interface CalendarOAuthClientApp {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs registered with the app. */
  redirectUris: string[];
}

/** How the signed-in person answers the next consent screen(s). */
export interface Consent {
  decision: 'approve' | 'deny';
  /** Scopes the person grants (default: all asked for). */
  grant?: string[];
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  offline: boolean;
  expiresAtMs: number;
  used: boolean;
}

interface Grant {
  clientId: string;
  scopes: string[];
}

export interface TokenRequestRecord {
  grantType: string;
  status: number;
  error?: string;
}

const CODE_TTL_MS = 10 * 60_000;
const GRAPH = 'https://graph.microsoft.com/';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  text?: string;
}

export class CalendarOAuthServer {
  consent: Consent = { decision: 'approve' };
  /** Lifetime of issued access tokens, in seconds (the providers say about an hour). */
  accessTokenLifetimeSec = 3599;
  readonly tokenRequests: TokenRequestRecord[] = [];
  /** Every authorize request's parameters, in order. */
  readonly authorizeRequests: URLSearchParams[] = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly accessTokens = new Map<string, { expiresAtMs: number; grant: Grant }>();
  private readonly refreshTokens = new Map<string, Grant>();

  constructor(
    private readonly style: CalendarOAuthStyle,
    private readonly clients: CalendarOAuthClientApp[],
    /** Scopes an app must ask for (and the person grant) for calendar access. */
    private readonly calendarScope: string,
  ) {}

  /** True for an access token issued and not expired or revoked. */
  acceptsAccessToken(token: string): boolean {
    const issued = this.accessTokens.get(token);
    return issued !== undefined && issued.expiresAtMs > Date.now();
  }

  /** Every access token stops working now (as after its hour), so the client must refresh. */
  expireAccessTokens(): void {
    for (const issued of this.accessTokens.values()) issued.expiresAtMs = 0;
  }

  /** The person revoked our access (or changed their password): refresh tokens and access tokens are dead. */
  revokeAll(): void {
    this.refreshTokens.clear();
    this.expireAccessTokens();
  }

  /** How many refresh tokens are alive (Microsoft: one per connection after any number of rotations). */
  get liveRefreshTokens(): number {
    return this.refreshTokens.size;
  }

  /** GET authorize: the signed-in person answers at once per `consent`; broken requests get an error page. */
  authorize(query: URLSearchParams): Answer {
    this.authorizeRequests.push(query);
    const client = this.clients.find((c) => c.clientId === query.get('client_id'));
    if (!client) return page(400, this.style === 'google' ? 'Error 401: invalid_client' : 'AADSTS700016: Application not found');
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!client.redirectUris.includes(redirectUri)) return page(400, this.style === 'google' ? 'Error 400: redirect_uri_mismatch' : 'AADSTS50011: The redirect URI does not match');
    const state = query.get('state') ?? undefined;
    const back = (params: Record<string, string | undefined>): Answer => {
      const url = new URL(redirectUri);
      for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
      return { status: 302, headers: { location: url.toString() } };
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', state });
    const challenge = query.get('code_challenge');
    if (!challenge || query.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'PKCE S256 code_challenge required', state });
    const asked = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!asked.includes(this.calendarScope)) return back({ error: 'invalid_scope', state });
    if (this.style === 'microsoft' && !asked.includes('offline_access')) return back({ error: 'invalid_request', error_description: 'offline_access not requested', state });
    if (this.consent.decision === 'deny') return back({ error: 'access_denied', error_description: 'The user denied access', state });
    const scopes = (this.consent.grant ?? asked).filter((scope) => asked.includes(scope));
    const offline = this.style === 'google' ? query.get('access_type') === 'offline' : scopes.includes('offline_access');
    const code = randomSecret(this.style === 'google' ? '4/0A' : 'M.C5', 16);
    this.codes.set(code, { clientId: client.clientId, redirectUri, challenge, scopes, offline, expiresAtMs: Date.now() + CODE_TTL_MS, used: false });
    return back({ code, state, ...(this.style === 'google' ? { scope: scopes.join(' ') } : {}) });
  }

  /** POST token: `authorization_code` and `refresh_token` grants, form-encoded, client secret in the body or Basic. */
  token(headers: IncomingHttpHeaders, body: string): Answer {
    const params = Object.fromEntries(new URLSearchParams(body));
    const grantType = params.grant_type ?? '';
    const answer = this.grant(headers, params, grantType);
    const error = (answer.body as { error?: string } | undefined)?.error;
    this.tokenRequests.push({ grantType, status: answer.status, ...(error ? { error } : {}) });
    return answer;
  }

  private grant(headers: IncomingHttpHeaders, params: Record<string, string>, grantType: string): Answer {
    const fail = (status: number, error: string, description: string): Answer => ({ status, body: { error, error_description: description } });
    if (!(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return fail(400, 'invalid_request', 'form-encoded body required');
    const { clientId, clientSecret } = clientCredentials(headers, params);
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client || client.clientSecret !== clientSecret) return fail(401, 'invalid_client', 'client authentication failed');
    if (grantType === 'authorization_code') {
      const issued = this.codes.get(params.code ?? '');
      if (!issued || issued.used || issued.expiresAtMs < Date.now() || issued.clientId !== clientId) {
        if (issued) issued.used = true;
        return fail(400, 'invalid_grant', 'code is invalid, expired or already used');
      }
      issued.used = true;
      if (params.redirect_uri !== issued.redirectUri) return fail(400, this.style === 'google' ? 'redirect_uri_mismatch' : 'invalid_grant', 'redirect_uri differs from the authorize request');
      const verifier = params.code_verifier ?? '';
      if (!isValidCodeVerifier(verifier) || s256(verifier) !== issued.challenge) return fail(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
      return this.issue({ clientId: client.clientId, scopes: issued.scopes }, issued.offline);
    }
    if (grantType === 'refresh_token') {
      const grant = this.refreshTokens.get(params.refresh_token ?? '');
      if (!grant || grant.clientId !== clientId) return fail(400, 'invalid_grant', this.style === 'google' ? 'Token has been expired or revoked.' : 'AADSTS70000: The provided refresh token is invalid or has been revoked');
      if (this.style === 'microsoft') this.refreshTokens.delete(params.refresh_token);
      return this.issue(grant, this.style === 'microsoft');
    }
    return fail(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }

  private issue(grant: Grant, withRefresh: boolean): Answer {
    const accessToken = randomSecret(this.style === 'google' ? 'ya29.' : 'eyJ0.', 24);
    this.accessTokens.set(accessToken, { expiresAtMs: Date.now() + this.accessTokenLifetimeSec * 1000, grant });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.accessTokenLifetimeSec,
      scope: this.style === 'google' ? grant.scopes.join(' ') : grant.scopes.map((scope) => (scope.includes('.') ? `${GRAPH}${scope}` : scope)).join(' '),
    };
    if (withRefresh) {
      const refreshToken = randomSecret(this.style === 'google' ? '1//0g' : 'M.R3_', 24);
      this.refreshTokens.set(refreshToken, grant);
      body.refresh_token = refreshToken;
    }
    return { status: 200, headers: { 'cache-control': 'no-store' }, body };
  }
}

const page = (status: number, message: string): Answer => ({ status, headers: { 'content-type': 'text/html; charset=utf-8' }, text: `<html><body><h1>${message}</h1></body></html>` });

/** Reads a request body as text (the token endpoint's form). */
export function readBody(request: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
