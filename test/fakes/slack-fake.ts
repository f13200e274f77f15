/**
 * A local Slack Web API for tests, benchmarks and `npm run fakes`.
 *
 *   const slack = await SlackFake.start({ profileWriteWindowMs: 1000 });
 *   slack.addToken('xoxp-alice', { userId: 'U1', name: 'alice' });
 *   const client = new WebClient('xoxp-alice', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
 *   ...
 *   slack.profileOf('U1'); slack.profileWrites('U1'); slack.failNext('ratelimited');
 *
 * Methods live in tables (slack-methods.ts, slack-oauth.ts) and the event emitter can be a separate
 * file using SlackState. OAuth: slack.addOAuthClient({ clientId, clientSecret, tokenRotation: true });
 * slack.oauthLoginAs('U1'); then drive /oauth/v2/authorize and oauth.v2.access. Control over HTTP:
 * controlRoutes() in http-helpers.ts.
 */
import {
  FakeHttpError,
  FakeHttpServer,
  controlRoutes,
  jsonReply,
  optionalNonNegativeNumber,
  optionalString,
  optionalStringArray,
  parseFailBody,
  requireString,
} from './http-helpers';
import { slackApiRoutes } from './slack-api';
import { SlackMethod, slackUserMethods } from './slack-methods';
import { SlackOAuth, SlackOAuthClient, SlackOAuthRecord } from './slack-oauth';
import { SlackFailureMode, SlackFailureOptions, SlackFakeOptions, SlackRequestRecord, SlackState, SlackStatus, SlackUser } from './slack-state';

export type { SlackFailureMode, SlackFailureOptions, SlackFakeOptions, SlackRequestRecord, SlackStatus, SlackUser } from './slack-state';
export { DEFAULT_SLACK_EMOJI, SLACK_FAILURE_MODES } from './slack-state';
export type { SlackOAuthClient, SlackOAuthRecord } from './slack-oauth';

export class SlackFake {
  readonly url: string;
  readonly apiUrl: string;
  private readonly initialLatencyMs: number;

  private constructor(
    private readonly server: FakeHttpServer,
    private readonly state: SlackState,
    /** Method table; later route files can register more methods with addMethods(). */
    private readonly methods: Record<string, SlackMethod>,
    private readonly oauth: SlackOAuth,
  ) {
    this.url = server.url;
    this.apiUrl = `${server.url}/api/`;
    this.initialLatencyMs = server.latencyMs;
  }

  static async start(opts: SlackFakeOptions = {}): Promise<SlackFake> {
    const now = opts.now ?? Date.now;
    const state = new SlackState(opts, now);
    const oauth = new SlackOAuth(state, { codeLifetimeMs: opts.oauthCodeLifetimeMs, tokenLifetimeSeconds: opts.oauthTokenLifetimeSeconds });
    for (const client of opts.oauthClients ?? []) oauth.addClient(client);
    const methods: Record<string, SlackMethod> = { ...slackUserMethods(), ...oauth.methods() };
    const server = await FakeHttpServer.listen([], {
      port: opts.port,
      host: opts.host,
      latencyMs: opts.latencyMs,
      now,
      notFound: () => jsonReply(404, { ok: false, error: 'not_found' }),
    });
    const fake = new SlackFake(server, state, methods, oauth);
    server.addRoutes(controlRoutes(fake.control()));
    server.addRoutes(slackApiRoutes({ state, methods, delay: (ms) => server.delay(ms) }));
    server.addRoutes(oauth.routes());
    return fake;
  }

  /** Registers an OAuth app for /oauth/v2/authorize and oauth.v2.access (replaces one with the same id). */
  addOAuthClient(client: SlackOAuthClient): void {
    this.oauth.addClient(client);
  }

  /**
   * The person signed in to Slack who approves authorize requests without the fake-only `user` parameter
   * (null signs out). `grantScopes` overrides the user scopes granted (default: the requested ones).
   */
  oauthLoginAs(userId: string | null, opts: { name?: string; teamId?: string; grantScopes?: string[] } = {}): void {
    this.oauth.loginAs(userId, opts);
  }

  /** The next authorize request is declined: redirect with error=access_denied. */
  oauthDeclineNext(): void {
    this.oauth.declineNextAuthorization();
  }

  /** Every authorize and oauth.v2.access call (live array; cleared by reset()). */
  get oauthRequests(): SlackOAuthRecord[] {
    return this.oauth.records;
  }

  /** The token answers token_expired from now on, as a rotated token past its `expires_in`. */
  expireToken(token: string): void {
    this.state.expireToken(token);
  }

  /** `expires_in` of rotated user tokens issued from now on (default from oauthTokenLifetimeSeconds). */
  setOAuthTokenLifetime(seconds: number): void {
    this.oauth.setTokenLifetime(seconds);
  }

  /** Tokens of a user, oldest first (including revoked and expired ones). */
  tokensOf(userId: string): string[] {
    return [...this.state.tokens.entries()].filter(([, t]) => t.userId === userId).map(([token]) => token);
  }

  /** Every POST /api/<method>, in arrival order (live array; cleared by reset()). */
  get requests(): SlackRequestRecord[] {
    return this.state.requests;
  }

  /** Registers extra Web API methods (e.g. from an OAuth route file). */
  addMethods(methods: Record<string, SlackMethod>): void {
    Object.assign(this.methods, methods);
  }

  addToken(token: string, user: SlackUser): void {
    this.state.addToken(token, user);
  }

  /** The token then gets ok:false token_revoked. addToken() with the same token restores it. */
  revokeToken(token: string): void {
    this.state.revokeToken(token);
  }

  clearTokens(): void {
    this.state.clearTokens();
  }

  /** Every token of this user then gets ok:false account_inactive (until reset()). */
  deactivate(userId: string): void {
    this.state.deactivate(userId);
  }

  /** Status fields with expiry applied ('' / '' / 0 when none or unknown user). */
  profileOf(userId: string): SlackStatus {
    return this.state.profileOf(userId);
  }

  /** Seeds a status directly, as if set in the Slack client (no validation, no request recorded). */
  setProfile(userId: string, status: Partial<SlackStatus>): SlackStatus {
    const user = this.state.ensureUser(userId);
    user.status = { ...this.state.statusOf(user), ...status };
    return this.state.statusOf(user);
  }

  presenceOf(userId: string): 'auto' | 'away' {
    return this.state.users.get(userId)?.presence ?? 'auto';
  }

  /** DND snooze end (Unix seconds), 0 when not snoozed. */
  snoozeEndOf(userId: string): number {
    const user = this.state.users.get(userId);
    return user ? this.state.snoozeOf(user) : 0;
  }

  /** Successful users.profile.set calls (optionally for one user). */
  profileWrites(userId?: string): SlackRequestRecord[] {
    return this.state.requests.filter(
      (r) => r.method === 'users.profile.set' && r.responseStatus === 200 && isOk(r.responseBody) && (userId === undefined || r.userId === userId),
    );
  }

  /** Queues `count` canned failures; each is consumed by one authenticated API call, in order. */
  failNext(mode: SlackFailureMode, count = 1, opts: SlackFailureOptions = {}): void {
    this.state.failures.push(mode, count, { ...opts });
  }

  /** Calls received and not answered yet: what a test waits on to know a call is in flight. */
  get inFlight(): number {
    return this.server.inFlightCount;
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a non-negative number');
    this.server.latencyMs = ms;
  }

  /**
   * Clears statuses/profiles, presence, DND, deactivations, recorded requests, queued failures,
   * rate-limit windows, OAuth codes, refresh tokens and the signed-in person, and restores the start-up
   * latency. Tokens and OAuth clients are kept (see clearTokens()).
   */
  reset(): void {
    this.state.reset();
    this.oauth.reset();
    this.server.latencyMs = this.initialLatencyMs;
  }

  /** Stops listening and destroys every open connection (pending `slow` calls are dropped). */
  close(): Promise<void> {
    return this.server.close();
  }

  private control() {
    return {
      addToken: (body: Record<string, unknown>) => {
        this.addToken(requireString(body, 'token'), {
          userId: requireString(body, 'userId'),
          teamId: optionalString(body, 'teamId'),
          name: optionalString(body, 'name'),
          scopes: optionalStringArray(body, 'scopes'),
        });
      },
      revokeToken: (token: string) => this.revokeToken(token),
      clearTokens: () => this.clearTokens(),
      fail: (body: Record<string, unknown>) => {
        const { mode, count } = parseFailBody(body);
        this.failNext(mode as SlackFailureMode, count, {
          retryAfterSeconds: optionalNonNegativeNumber(body, 'retryAfterSeconds'),
          delayMs: optionalNonNegativeNumber(body, 'delayMs'),
        });
      },
      setLatency: (ms: number) => this.setLatency(ms),
      inFlight: () => this.inFlight,
      reset: () => this.reset(),
      requests: () => this.requests,
      state: () => this.snapshot(),
      extra: {
        deactivate: (body: Record<string, unknown>) => this.deactivate(requireString(body, 'userId')),
        'oauth-clients': (body: Record<string, unknown>) =>
          this.addOAuthClient({
            clientId: requireString(body, 'clientId'),
            clientSecret: requireString(body, 'clientSecret'),
            redirectUrls: optionalStringArray(body, 'redirectUrls'),
            tokenRotation: body.tokenRotation === true,
          }),
        'oauth-login': (body: Record<string, unknown>) =>
          this.oauthLoginAs(body.userId === null ? null : requireString(body, 'userId'), {
            name: optionalString(body, 'name'),
            teamId: optionalString(body, 'teamId'),
            grantScopes: optionalStringArray(body, 'grantScopes'),
          }),
        'oauth-decline': () => this.oauthDeclineNext(),
        'expire-token': (body: Record<string, unknown>) => this.expireToken(requireString(body, 'token')),
        profile: (body: Record<string, unknown>) => {
          const userId = requireString(body, 'userId');
          const exp = body.status_expiration;
          if (exp !== undefined && (typeof exp !== 'number' || !Number.isInteger(exp) || exp < 0)) {
            throw new FakeHttpError(400, "'status_expiration' must be a non-negative integer");
          }
          const patch: Partial<SlackStatus> = {};
          const text = optionalString(body, 'status_text');
          const emoji = optionalString(body, 'status_emoji');
          if (text !== undefined) patch.status_text = text;
          if (emoji !== undefined) patch.status_emoji = emoji;
          if (typeof exp === 'number') patch.status_expiration = exp;
          return this.setProfile(userId, patch);
        },
      },
    };
  }

  private snapshot() {
    return {
      users: [...this.state.users.values()].map((u) => ({
        userId: u.userId,
        teamId: u.teamId,
        name: u.name,
        deactivated: u.deactivated,
        profile: this.state.statusOf(u),
        presence: u.presence,
        snoozeEndsAt: this.state.snoozeOf(u),
      })),
      tokens: [...this.state.tokens.entries()].map(([token, t]) => ({
        token,
        userId: t.userId,
        scopes: t.scopes,
        revoked: this.state.revoked.has(token),
        expiresAt: this.state.expiries.has(token) ? new Date(this.state.expiries.get(token)!).toISOString() : null,
      })),
      pendingFailures: this.state.failures.pending.map((f) => f.mode),
      latencyMs: this.server.latencyMs,
      requestCount: this.state.requests.length,
    };
  }
}

function isOk(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === true;
}
