/**
 * A local GitHub GraphQL API for tests, benchmarks and `npm run fakes`.
 *
 *   const github = await GithubFake.start();
 *   github.addToken('ghp_alice', { login: 'alice' });
 *   const gql = graphql.defaults({ baseUrl: github.url, headers: { authorization: 'token ghp_alice' } });
 *   ...
 *   github.statusOf('alice'); github.mutations('alice'); github.failNext('secondary_403');
 *
 * Routes live in their own files (github-graphql.ts, github-oauth.ts) and share GithubState.
 * OAuth: github.addOAuthClient({ clientId, clientSecret }); github.oauthLoginAs('alice'); then drive
 * /login/oauth/authorize and /login/oauth/access_token. Control over HTTP: see controlRoutes() in http-helpers.ts.
 */
import { githubGraphqlRoutes } from './github-graphql';
import { GithubOAuth, GithubOAuthClient, GithubOAuthRecord } from './github-oauth';
import { githubSchema } from './github-schema';
import {
  GithubFailureMode,
  GithubFailureOptions,
  GithubFakeOptions,
  GithubRequestRecord,
  GithubState,
  GithubStatus,
  GithubStatusInput,
  GithubUser,
  toPublicStatus,
} from './github-state';
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

export type { GithubFailureMode, GithubFailureOptions, GithubFakeOptions, GithubRequestRecord, GithubStatus, GithubStatusInput, GithubUser } from './github-state';
export type { GithubOAuthClient, GithubOAuthRecord } from './github-oauth';
export { GITHUB_FAILURE_MODES } from './github-state';

export class GithubFake {
  readonly url: string;
  readonly graphqlUrl: string;
  private readonly initialLatencyMs: number;

  private constructor(
    private readonly server: FakeHttpServer,
    private readonly state: GithubState,
    private readonly oauth: GithubOAuth,
  ) {
    this.url = server.url;
    this.graphqlUrl = `${server.url}/graphql`;
    this.initialLatencyMs = server.latencyMs;
  }

  static async start(opts: GithubFakeOptions = {}): Promise<GithubFake> {
    githubSchema(); // build the schema before the first request (a few hundred ms, once per process)
    const now = opts.now ?? Date.now;
    const state = new GithubState(opts, now);
    const server = await FakeHttpServer.listen([], {
      port: opts.port,
      host: opts.host,
      latencyMs: opts.latencyMs,
      now,
      notFound: () => jsonReply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/graphql' }),
    });
    const oauth = new GithubOAuth(state, opts.oauthCodeLifetimeMs);
    for (const client of opts.oauthClients ?? []) oauth.addClient(client);
    const fake = new GithubFake(server, state, oauth);
    server.addRoutes(controlRoutes(fake.control()));
    server.addRoutes(githubGraphqlRoutes(state));
    server.addRoutes(oauth.routes());
    return fake;
  }

  /** Registers an OAuth app for /login/oauth/* (replaces one with the same client id). */
  addOAuthClient(client: GithubOAuthClient): void {
    this.oauth.addClient(client);
  }

  /**
   * The person signed in to github.com who approves authorize requests that carry no `login` parameter
   * (null signs out). `grantScopes` overrides the scopes they grant (default: the requested ones).
   */
  oauthLoginAs(login: string | null, opts: { grantScopes?: string[] } = {}): void {
    this.oauth.loginAs(login, opts);
  }

  /** The next authorize request is declined: redirect with error=access_denied. */
  oauthDeclineNext(): void {
    this.oauth.declineNextAuthorization();
  }

  /** Every call to /login/oauth/* (live array; cleared by reset()). */
  get oauthRequests(): GithubOAuthRecord[] {
    return this.oauth.records;
  }

  /** Every POST /graphql, in arrival order (live array; cleared by reset()). */
  get requests(): GithubRequestRecord[] {
    return this.state.requests;
  }

  addToken(token: string, user: GithubUser): void {
    this.state.addToken(token, user);
  }

  /** The token then gets 401 Bad credentials. addToken() with the same token restores it. */
  revokeToken(token: string): void {
    this.state.revokeToken(token);
  }

  clearTokens(): void {
    this.state.clearTokens();
  }

  /** Stored status with expiry applied (expired or cleared → null). */
  statusOf(login: string): GithubStatus | null {
    return this.state.statusOf(login);
  }

  /** Seeds a status directly, as if set on github.com (no validation, no request recorded). */
  setStatus(login: string, input: GithubStatusInput): GithubStatus {
    const expires = input.expiresAt;
    const stored = this.state.write(login, {
      emoji: input.emoji ?? null,
      message: input.message ?? null,
      limited: input.limitedAvailability ?? false,
      expiresAtMs: expires === undefined || expires === null ? null : new Date(expires).getTime(),
      organizationId: input.organizationId ?? null,
    });
    return toPublicStatus(stored);
  }

  /** changeUserStatus calls that were executed and set or cleared a status (optionally for one login). */
  mutations(login?: string): GithubRequestRecord[] {
    const wanted = login?.toLowerCase();
    return this.state.requests.filter((r) => r.applied && (wanted === undefined || r.login?.toLowerCase() === wanted));
  }

  /** Queues `count` canned failures; each is consumed by one authenticated POST /graphql, in order. */
  failNext(mode: GithubFailureMode, count = 1, opts: GithubFailureOptions = {}): void {
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
   * Clears statuses, recorded requests, queued failures, rate-limit counters, OAuth codes and the signed-in
   * person, restores the start-up latency and drops requests held open by `hang`. Tokens and OAuth clients
   * are kept (see clearTokens()).
   */
  reset(): void {
    this.state.reset();
    this.oauth.reset();
    this.server.latencyMs = this.initialLatencyMs;
    this.server.releaseHanging();
  }

  /** Stops listening and destroys every open connection, including hanging ones. */
  close(): Promise<void> {
    return this.server.close();
  }

  private control() {
    return {
      addToken: (body: Record<string, unknown>) => {
        const token = requireString(body, 'token');
        const login = requireString(body, 'login');
        this.addToken(token, { login, scopes: optionalStringArray(body, 'scopes') });
      },
      revokeToken: (token: string) => this.revokeToken(token),
      clearTokens: () => this.clearTokens(),
      fail: (body: Record<string, unknown>) => {
        const { mode, count } = parseFailBody(body);
        this.failNext(mode as GithubFailureMode, count, {
          retryAfterSeconds: optionalNonNegativeNumber(body, 'retryAfterSeconds'),
          resetInSeconds: optionalNonNegativeNumber(body, 'resetInSeconds'),
        });
      },
      setLatency: (ms: number) => this.setLatency(ms),
      inFlight: () => this.inFlight,
      reset: () => this.reset(),
      requests: () => this.requests,
      state: () => this.snapshot(),
      extra: {
        'oauth-clients': (body: Record<string, unknown>) =>
          this.addOAuthClient({ clientId: requireString(body, 'clientId'), clientSecret: requireString(body, 'clientSecret'), callbackUrl: optionalString(body, 'callbackUrl') }),
        'oauth-login': (body: Record<string, unknown>) =>
          this.oauthLoginAs(body.login === null ? null : requireString(body, 'login'), { grantScopes: optionalStringArray(body, 'grantScopes') }),
        'oauth-decline': () => this.oauthDeclineNext(),
        status: (body: Record<string, unknown>) => {
          const login = requireString(body, 'login');
          const expiresAt = optionalString(body, 'expiresAt');
          if (expiresAt !== undefined && Number.isNaN(Date.parse(expiresAt))) throw new FakeHttpError(400, "'expiresAt' must be an ISO date");
          return this.setStatus(login, {
            emoji: optionalString(body, 'emoji'),
            message: optionalString(body, 'message'),
            limitedAvailability: body.limitedAvailability === true,
            expiresAt,
          });
        },
      },
    };
  }

  private snapshot() {
    const logins = [...this.state.statuses.values()].map((s) => s.login);
    return {
      statuses: logins.map((login) => this.statusOf(login)).filter((s): s is GithubStatus => s !== null),
      tokens: [...this.state.tokens.entries()].map(([token, u]) => ({ token, login: u.login, scopes: u.scopes, revoked: this.state.revoked.has(token) })),
      pendingFailures: this.state.failures.pending.map((f) => f.mode),
      latencyMs: this.server.latencyMs,
      requestCount: this.state.requests.length,
    };
  }
}
