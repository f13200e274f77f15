/**
 * Slack's OAuth v2 flow for the Slack fake:
 *
 *   GET  /oauth/v2/authorize   client_id, scope (bot), user_scope, redirect_uri, state
 *                              → 302 redirect_uri?code=…&state=…  (or ?error=access_denied&state=…)
 *   POST /api/oauth.v2.access  code, client_id, client_secret (form fields or Basic auth), redirect_uri
 *                              → {ok, authed_user: {id, scope, access_token, token_type: 'user'[, expires_in,
 *                                 refresh_token]}, team, ...}
 *                              grant_type=refresh_token&refresh_token=… → a new access and refresh token
 *                              (top-level, token_type 'user'); the old refresh token stops working.
 *
 * Errors are HTTP 200 `{ok: false, error}`: invalid_client_id, bad_client_secret, invalid_code,
 * bad_redirect_uri, invalid_refresh_token, invalid_grant_type. Who approves: the fake-only `user` query
 * parameter (a Slack user id), else the user signed in with SlackFake.oauthLoginAs(). Codes live 10 minutes
 * and work once. With `tokenRotation` on the client, user tokens expire after `expires_in` and then answer
 * token_expired; an old access token keeps working until its own expiry, as on Slack.
 */
import { IncomingHttpHeaders } from 'node:http';
import { SlackMethod, SlackPublicMethod } from './slack-methods';
import { SlackState } from './slack-state';
import { FakeHttpError, FakeReply, FakeRequest, FakeRoute } from './http-helpers';
import { clientCredentials, errorPage, FakeOAuthClient, isUnder, IssuedCode, parseHttpUrl, randomSecret, redirectTo } from './oauth-helpers';

export interface SlackOAuthClient extends FakeOAuthClient {
  /** The app's Redirect URLs: redirect_uri must be one of them or below one; the first is the default. */
  redirectUrls?: string[];
  /** Token rotation on: user tokens expire (`expires_in`) and come with a single-use refresh token. */
  tokenRotation?: boolean;
}

/** One call to an OAuth endpoint, for inspection (secrets and codes left out). */
export interface SlackOAuthRecord {
  at: number;
  endpoint: 'authorize' | 'oauth.v2.access';
  grantType: 'authorization_code' | 'refresh_token' | null;
  clientId: string | null;
  userId: string | null;
  /** The error answered, or null on success. */
  error: string | null;
}

interface SlackCode extends IssuedCode {
  userId: string;
  teamId: string;
  userScopes: string[];
  botScopes: string[];
}

interface RefreshGrant {
  clientId: string;
  userId: string;
  teamId: string;
  scopes: string[];
}

const CODE_LIFETIME_MS = 10 * 60_000;
/** Slack's lifetime of a rotated token (12 hours). */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 43_200;
const APP_ID = 'A0FAKEAPP01';

/** Scopes the fake knows; anything else is refused at authorize with invalid_scope, as Slack does. */
const KNOWN_SCOPES = new Set([
  'users.profile:read', 'users.profile:write', 'users:read', 'users:read.email', 'users:write', 'dnd:read', 'dnd:write',
  'identify', 'chat:write', 'channels:read', 'team:read', 'emoji:read', 'openid', 'profile', 'email',
]);

export interface SlackOAuthOptions {
  codeLifetimeMs?: number;
  /** `expires_in` of rotated user tokens (default 43200 s). */
  tokenLifetimeSeconds?: number;
}

export class SlackOAuth {
  readonly clients = new Map<string, SlackOAuthClient>();
  readonly records: SlackOAuthRecord[] = [];
  private readonly codes = new Map<string, SlackCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private signedIn: { userId: string; name?: string; teamId?: string; grantScopes?: string[] } | null = null;
  private declineNext = false;

  constructor(
    private readonly state: SlackState,
    private readonly options: SlackOAuthOptions = {},
  ) {}

  addClient(client: SlackOAuthClient): void {
    if (!client.clientId || !client.clientSecret) throw new FakeHttpError(400, 'clientId and clientSecret must be non-empty');
    if (client.redirectUrls?.some((u) => !parseHttpUrl(u))) throw new FakeHttpError(400, 'redirectUrls must be http(s) URLs');
    this.clients.set(client.clientId, { ...client, redirectUrls: client.redirectUrls ? [...client.redirectUrls] : undefined });
  }

  /** The person signed in to Slack who approves authorize requests without `user`; null signs out. */
  loginAs(userId: string | null, opts: { name?: string; teamId?: string; grantScopes?: string[] } = {}): void {
    this.signedIn = userId === null ? null : { userId, ...opts };
  }

  declineNextAuthorization(): void {
    this.declineNext = true;
  }

  /** `expires_in` of rotated user tokens issued from now on. */
  setTokenLifetime(seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 1) throw new FakeHttpError(400, 'token lifetime must be a positive integer of seconds');
    this.options.tokenLifetimeSeconds = seconds;
  }

  /** Forgets codes, refresh tokens, records, the signed-in person and a pending decline; keeps the clients. */
  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.records.length = 0;
    this.signedIn = null;
    this.declineNext = false;
  }

  routes(): FakeRoute[] {
    return [{ method: 'GET', path: '/oauth/v2/authorize', api: true, handle: (req) => this.authorize(req) }];
  }

  methods(): Record<string, SlackMethod> {
    const access: SlackPublicMethod = { auth: 'none', handle: ({ params, headers }) => this.access(params, headers) };
    return { 'oauth.v2.access': access };
  }

  private authorize(req: FakeRequest): FakeReply {
    const q = Object.fromEntries(req.query);
    const record: SlackOAuthRecord = { at: req.receivedAt, endpoint: 'authorize', grantType: null, clientId: q.client_id ?? null, userId: null, error: null };
    this.records.push(record);
    const page = (status: number, error: string, message: string) => {
      record.error = error;
      return errorPage(status, `${error}: ${message}`);
    };

    const client = q.client_id ? this.clients.get(q.client_id) : undefined;
    if (!client) return page(400, 'invalid_client_id', 'No app has this client_id.');
    const userScopes = scopeList(q.user_scope);
    const botScopes = scopeList(q.scope);
    if (userScopes.length + botScopes.length === 0) return page(400, 'invalid_scope', 'Ask for at least one scope or user_scope.');
    const unknown = [...userScopes, ...botScopes].filter((s) => !KNOWN_SCOPES.has(s));
    if (unknown.length > 0) return page(400, 'invalid_scope', `Unknown scope ${unknown.join(', ')}.`);

    const redirectUri = q.redirect_uri ?? client.redirectUrls?.[0];
    if (!redirectUri || !parseHttpUrl(redirectUri)) return page(400, 'bad_redirect_uri', 'redirect_uri is missing or not an http(s) URL.');
    // Slack shows an error page rather than redirecting to a URL the app did not register.
    if (client.redirectUrls && !client.redirectUrls.some((u) => isUnder(redirectUri, u))) {
      return page(400, 'bad_redirect_uri', 'redirect_uri does not match any Redirect URL of the app.');
    }

    const userId = q.user || this.signedIn?.userId;
    if (!userId) return page(401, 'login_required', 'Nobody is signed in: pass user=… or call SlackFake.oauthLoginAs().');
    record.userId = userId;
    const back = (params: Record<string, string | undefined>) => redirectTo(redirectUri, { ...params, state: q.state });
    if (this.declineNext) {
      this.declineNext = false;
      record.error = 'access_denied';
      return back({ error: 'access_denied' });
    }

    const self = this.signedIn?.userId === userId ? this.signedIn : undefined;
    const user = this.state.ensureUser(userId, self?.teamId, self?.name);
    const now = this.state.now();
    const code = `${Math.floor(now / 1000)}.${Math.floor(Math.random() * 1e12)}.${randomSecret('', 16)}`;
    this.codes.set(code, {
      code,
      clientId: client.clientId,
      redirectUri: q.redirect_uri,
      expiresAtMs: now + (this.options.codeLifetimeMs ?? CODE_LIFETIME_MS),
      used: false,
      userId,
      teamId: user.teamId,
      userScopes: self?.grantScopes ?? userScopes,
      botScopes,
    });
    return back({ code });
  }

  private access(params: Record<string, unknown>, headers: IncomingHttpHeaders): Record<string, unknown> {
    const p = Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const grantType = p.grant_type === 'refresh_token' ? 'refresh_token' : p.grant_type === undefined || p.grant_type === 'authorization_code' ? 'authorization_code' : null;
    const { clientId, clientSecret } = clientCredentials(headers, p);
    const record: SlackOAuthRecord = { at: this.state.now(), endpoint: 'oauth.v2.access', grantType, clientId: clientId ?? null, userId: null, error: null };
    this.records.push(record);
    const fail = (error: string) => {
      record.error = error;
      return { ok: false, error };
    };

    const client = clientId ? this.clients.get(clientId) : undefined;
    if (!client) return fail('invalid_client_id');
    if (client.clientSecret !== clientSecret) return fail('bad_client_secret');
    if (grantType === null) return fail('invalid_grant_type');

    if (grantType === 'refresh_token') {
      const grant = p.refresh_token ? this.refreshTokens.get(p.refresh_token) : undefined;
      if (!grant || grant.clientId !== client.clientId) return fail('invalid_refresh_token');
      record.userId = grant.userId;
      // Single use: the old refresh token is gone; the old access token lives until its own expiry.
      this.refreshTokens.delete(p.refresh_token);
      const issued = this.issueUserToken(client, grant);
      return {
        ok: true,
        app_id: APP_ID,
        access_token: issued.accessToken,
        token_type: 'user',
        scope: grant.scopes.join(','),
        refresh_token: issued.refreshToken,
        expires_in: issued.expiresIn,
        team: { id: grant.teamId, name: this.state.teamName },
        enterprise: null,
        is_enterprise_install: false,
      };
    }

    const code = p.code ? this.codes.get(p.code) : undefined;
    if (!code || code.clientId !== client.clientId || code.used) return fail('invalid_code');
    record.userId = code.userId;
    // Presented once with valid client credentials: burnt, whatever happens next.
    code.used = true;
    if (code.expiresAtMs <= this.state.now()) return fail('invalid_code');
    if (code.redirectUri !== undefined && p.redirect_uri !== code.redirectUri) return fail('bad_redirect_uri');

    const issued = this.issueUserToken(client, { clientId: client.clientId, userId: code.userId, teamId: code.teamId, scopes: code.userScopes });
    const bot = code.botScopes.length > 0 ? this.issueBotToken(code) : null;
    return {
      ok: true,
      app_id: APP_ID,
      authed_user: {
        id: code.userId,
        scope: code.userScopes.join(','),
        access_token: issued.accessToken,
        token_type: 'user',
        ...(issued.refreshToken ? { refresh_token: issued.refreshToken, expires_in: issued.expiresIn } : {}),
      },
      ...(bot ? { scope: code.botScopes.join(','), token_type: 'bot', access_token: bot.token, bot_user_id: bot.userId } : {}),
      team: { id: code.teamId, name: this.state.teamName },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  private issueUserToken(client: SlackOAuthClient, grant: RefreshGrant): { accessToken: string; refreshToken?: string; expiresIn?: number } {
    if (!client.tokenRotation) {
      const accessToken = randomSecret('xoxp-1-', 24);
      this.state.addToken(accessToken, { userId: grant.userId, teamId: grant.teamId, scopes: grant.scopes });
      return { accessToken };
    }
    const expiresIn = this.options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    const accessToken = randomSecret('xoxe.xoxp-1-', 24);
    this.state.addToken(accessToken, { userId: grant.userId, teamId: grant.teamId, scopes: grant.scopes, expiresAtMs: this.state.now() + expiresIn * 1000 });
    const refreshToken = randomSecret('xoxe-1-', 24);
    this.refreshTokens.set(refreshToken, { ...grant, clientId: client.clientId });
    return { accessToken, refreshToken, expiresIn };
  }

  private issueBotToken(code: SlackCode): { token: string; userId: string } {
    const userId = `UB${code.clientId.replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 8)}`;
    const token = randomSecret('xoxb-1-', 24);
    this.state.addToken(token, { userId, teamId: code.teamId, name: 'bot', scopes: code.botScopes });
    return { token, userId };
  }
}

/** Slack lists scopes comma-separated; spaces are tolerated. */
function scopeList(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(/[\s,]+/).filter(Boolean))];
}
