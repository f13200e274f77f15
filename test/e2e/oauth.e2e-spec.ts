import Redis from 'ioredis';
import { keyIdOf } from '../../libs/core/src/crypto/key-id';
import { TokenCipher } from '../../libs/core/src/crypto/token-cipher';
import { ApiResponse, RESPONSES_SEEN } from '../support/api-client';
import { mintJwt } from '../support/jwt';
import { approveAt, ProviderRedirect } from '../support/oauth-browser';
import { newUser, settled, startStack, TestStack, TestUser, userIdOf } from '../support/stack';
import { E2E } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/** How browsers reach the gateway (behind a proxy); the provider redirects there, the test rewrites it to the gateway. */
const PUBLIC_URL = 'https://statusync.test';
const GITHUB_APP = { clientId: 'Iv1.e2egithubapp', clientSecret: 'e2e-github-client-secret', callbackUrl: `${PUBLIC_URL}/api/v1/oauth/github/callback` };
const SLACK_APP = { clientId: '1111.2222', clientSecret: 'e2e-slack-client-secret', redirectUrls: [`${PUBLIC_URL}/api/v1/oauth/slack/callback`], tokenRotation: true };
/** Slack's rotated-token lifetime (12 h); a test that wants an expiring token shortens it. */
const LONG_LIFE_SECONDS = 43_200;

type Platform = 'github' | 'slack';

/**
 * Connecting GitHub and Slack through their OAuth flows, against the fakes playing the providers: the happy paths,
 * every way a state or a code can be abused, provider refusals, Slack token rotation in the worker, and that no
 * token or refresh token ever shows up in an answer, the database or a log. The tests share one stack and run in
 * order; the last one stops the services to read their flushed logs.
 */
describe('connect with OAuth', () => {
  let stack: TestStack;
  let redis: Redis;
  const cipher = (() => {
    const key = Buffer.from(E2E.encryptionKey, 'base64');
    return new TokenCipher([{ id: keyIdOf(key), key }]);
  })();

  beforeAll(async () => {
    stack = await startStack('oauth', {
      env: {
        GITHUB_OAUTH_CLIENT_ID: GITHUB_APP.clientId,
        GITHUB_OAUTH_CLIENT_SECRET: GITHUB_APP.clientSecret,
        SLACK_OAUTH_CLIENT_ID: SLACK_APP.clientId,
        SLACK_OAUTH_CLIENT_SECRET: SLACK_APP.clientSecret,
        OAUTH_REDIRECT_BASE_URL: PUBLIC_URL,
      },
      fakes: { github: { oauthClients: [GITHUB_APP] }, slack: { oauthClients: [SLACK_APP], oauthTokenLifetimeSeconds: LONG_LIFE_SECONDS } },
    });
    redis = new Redis(E2E.redisUrl);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  const authorize = async (user: TestUser, platform: Platform) => {
    const answer = await stack.api.get(`/api/v1/oauth/${platform}/authorize`, user.jwt);
    expect(answer.status).toBe(200);
    return answer.body as { platform: string; authorizeUrl: string; expiresAt: string };
  };
  /** The person approves at the provider as their own account there (or as `who`). */
  const approve = (user: TestUser, platform: Platform, url: string, who?: string): Promise<ProviderRedirect> =>
    approveAt(url, platform === 'github' ? { login: who ?? user.githubLogin } : { user: who ?? user.slackUserId });
  /** The browser follows the provider's redirect to the gateway (optionally with a session's JWT). */
  const callback = (redirect: URL, jwt?: string): Promise<ApiResponse> => {
    expect(redirect.origin).toBe(PUBLIC_URL);
    return stack.api.get(`${redirect.pathname}${redirect.search}`, jwt);
  };
  const connect = async (user: TestUser, platform: Platform) => {
    const back = await approve(user, platform, (await authorize(user, platform)).authorizeUrl);
    return callback(back.location);
  };
  /** `redirect` with one query parameter replaced. */
  const withParam = (redirect: URL, name: string, value: string) => {
    const url = new URL(redirect);
    url.searchParams.set(name, value);
    return url;
  };
  const rowOf = async (user: TestUser, platform: Platform) =>
    (
      await stack.db.query(
        `SELECT c.* FROM platform_configs c JOIN users u ON u.id = c.user_id WHERE u.subject = $1 AND c.platform = $2`,
        [user.subject, platform],
      )
    ).rows[0] as Record<string, any> | undefined;
  const listed = async (user: TestUser) => (await stack.api.get('/api/v1/config/platforms', user.jwt)).body as Record<string, unknown>[];
  const tokenExchanges = () => [
    ...stack.github.oauthRequests.filter((r) => r.endpoint === 'access_token'),
    ...stack.slack.oauthRequests.filter((r) => r.endpoint === 'oauth.v2.access'),
  ];
  const expectProblem = (answer: ApiResponse, status: number, field: string) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field })]);
  };

  describe('happy paths', () => {
    it('GitHub: authorize URL with state and PKCE, callback stores the token encrypted and answers like POST /config/platforms', async () => {
      const user = await newUser(stack, []);
      const started = await authorize(user, 'github');
      const url = new URL(started.authorizeUrl);
      expect(`${url.origin}${url.pathname}`).toBe(`${stack.github.url}/login/oauth/authorize`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: GITHUB_APP.clientId,
        redirect_uri: GITHUB_APP.callbackUrl,
        scope: 'user',
        state: expect.stringMatching(/^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/),
        code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        code_challenge_method: 'S256',
        allow_signup: 'false',
      });
      const expiresIn = Date.parse(started.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(9 * 60_000);
      expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);

      const back = await approve(user, 'github', started.authorizeUrl);
      expect(back.state).toBe(url.searchParams.get('state'));
      const done = await callback(back.location);

      expect(done.status).toBe(200);
      expect(done.body).toEqual({
        platform: 'github',
        accountName: user.githubLogin,
        state: 'active',
        reauthReason: null,
        connectedAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(await listed(user)).toEqual([done.body]);

      // The token GitHub issued is stored sealed to this user and platform, and is what the worker uses.
      const row = (await rowOf(user, 'github'))!;
      expect(row).toMatchObject({ connected_via: 'oauth', refresh_token_ciphertext: null, refresh_token_key_id: null, token_expires_at: null });
      const issued = cipher.decrypt({ ciphertext: row.token_ciphertext, keyId: row.token_key_id }, `${row.user_id}/github`);
      expect(issued).toMatch(/^gho_/);
      const update = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'Connected via OAuth', emoji: ':key:' });
      expect((await settled(stack, user, update.body.id)).state).toBe('succeeded');
      expect(stack.github.mutations(user.githubLogin).map((m) => m.token)).toEqual([issued]);

      const audit = await stack.db.query(`SELECT event, details FROM audit_events WHERE user_id = $1`, [row.user_id]);
      expect(audit.rows).toEqual([{ event: 'oauth.connected', details: { platform: 'github', accountName: user.githubLogin, scopes: ['user'], rotating: false } }]);
    });

    it('Slack: a rotating user token and its refresh token are stored sealed, each under its own context', async () => {
      const user = await newUser(stack, []);
      const started = await authorize(user, 'slack');
      const url = new URL(started.authorizeUrl);
      expect(`${url.origin}${url.pathname}`).toBe(`${stack.slack.url}/oauth/v2/authorize`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: SLACK_APP.clientId,
        user_scope: 'users.profile:write,users.profile:read,dnd:write',
        redirect_uri: SLACK_APP.redirectUrls[0],
        state: expect.any(String),
      });

      const done = await callback((await approve(user, 'slack', started.authorizeUrl)).location);
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ platform: 'slack', accountName: `slack-${user.subject.slice(5)}@Fake Workspace`, state: 'active' });

      const row = (await rowOf(user, 'slack'))!;
      expect(row.connected_via).toBe('oauth');
      const access = cipher.decrypt({ ciphertext: row.token_ciphertext, keyId: row.token_key_id }, `${row.user_id}/slack`);
      const refresh = cipher.decrypt({ ciphertext: row.refresh_token_ciphertext, keyId: row.refresh_token_key_id }, `${row.user_id}/slack/refresh`);
      expect(access).toMatch(/^xoxe\.xoxp-/);
      expect(refresh).toMatch(/^xoxe-/);
      // Swapping the two ciphertexts does not work: each is bound to its purpose.
      expect(() => cipher.decrypt({ ciphertext: row.refresh_token_ciphertext, keyId: row.refresh_token_key_id }, `${row.user_id}/slack`)).toThrow();
      const expiresIn = new Date(row.token_expires_at).getTime() - Date.now();
      expect(expiresIn).toBeGreaterThan((LONG_LIFE_SECONDS - 60) * 1000);
      expect(expiresIn).toBeLessThanOrEqual(LONG_LIFE_SECONDS * 1000);

      const update = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'Hello from OAuth', emoji: ':wave:', platforms: ['slack'] });
      expect((await settled(stack, user, update.body.id)).state).toBe('succeeded');
      expect(stack.slack.profileWrites(user.slackUserId).map((w) => w.token)).toEqual([access]);
    });

    it('Slack: a grant without the optional dnd:write scope still connects and sets statuses', async () => {
      const user = await newUser(stack, []);
      stack.slack.oauthLoginAs(user.slackUserId, { grantScopes: ['users.profile:write', 'users.profile:read'] });
      try {
        const started = await authorize(user, 'slack');
        expect(new URL(started.authorizeUrl).searchParams.get('user_scope')).toContain('dnd:write');
        const done = await callback((await approve(user, 'slack', started.authorizeUrl)).location);
        expect(done.status).toBe(200);
        expect(done.body).toMatchObject({ platform: 'slack', state: 'active' });
        const { rows } = await stack.db.query(`SELECT details FROM audit_events a JOIN users u ON u.id = a.user_id WHERE u.subject = $1 AND event = 'oauth.connected'`, [user.subject]);
        expect(rows[0].details.scopes).toEqual(['users.profile:write', 'users.profile:read']);
        const update = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'No DND needed', platforms: ['slack'] });
        expect((await settled(stack, user, update.body.id)).state).toBe('succeeded');
      } finally {
        stack.slack.oauthLoginAs(null);
      }
    });

    it('a pasted token still works, and connecting with OAuth later replaces it (and the other way round)', async () => {
      const user = await newUser(stack, ['github']);
      expect((await rowOf(user, 'github'))!.connected_via).toBe('token');
      expect((await connect(user, 'github')).status).toBe(200);
      expect((await rowOf(user, 'github'))!.connected_via).toBe('oauth');

      expect((await connect(user, 'slack')).status).toBe(200);
      const pasted = await stack.api.post('/api/v1/config/platforms', user.jwt, { platform: 'slack', token: user.slackToken });
      expect(pasted.status).toBe(201);
      expect(await rowOf(user, 'slack')).toMatchObject({ connected_via: 'token', refresh_token_ciphertext: null, token_expires_at: null });
    });
  });

  describe('attacks on the state', () => {
    it('refuses a replayed state, even with a fresh code', async () => {
      const user = await newUser(stack, []);
      const started = await authorize(user, 'github');
      const first = await approve(user, 'github', started.authorizeUrl);
      expect((await callback(first.location)).status).toBe(200);
      const before = await listed(user);
      const exchanges = tokenExchanges().length;

      expectProblem(await callback(first.location), 400, 'state');
      // Same state, new code from the provider (the authorize URL replayed): still refused, before any exchange.
      const second = await approve(user, 'github', started.authorizeUrl);
      const replayed = await callback(second.location);
      expectProblem(replayed, 400, 'state');
      expect(replayed.body).toMatchObject({ type: 'https://statusync.dev/problems/invalid-state', detail: expect.stringContaining('already used') });
      expect(tokenExchanges()).toHaveLength(exchanges);
      expect(await listed(user)).toEqual(before);
    });

    it('refuses a forged state (bad signature, made-up, missing) without spending the code', async () => {
      const user = await newUser(stack, []);
      const back = await approve(user, 'github', (await authorize(user, 'github')).authorizeUrl);
      const [id, signature] = back.state!.split('.');
      const exchanges = tokenExchanges().length;

      const flipped = `${id}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
      const forged = await callback(withParam(back.location, 'state', flipped));
      expectProblem(forged, 400, 'state');
      expect(forged.body.detail).toContain('signature');
      expectProblem(await callback(withParam(back.location, 'state', `${'x'.repeat(32)}.${'y'.repeat(43)}`)), 400, 'state');
      expectProblem(await callback(withParam(back.location, 'state', 'guess')), 400, 'state');
      const missing = new URL(back.location);
      missing.searchParams.delete('state');
      expectProblem(await callback(missing), 400, 'state');
      // A GitHub state does not verify on the Slack callback either.
      expectProblem(await callback(new URL(`${PUBLIC_URL}/api/v1/oauth/slack/callback${back.location.search}`)), 400, 'state');

      expect(tokenExchanges()).toHaveLength(exchanges);
      expect(await listed(user)).toEqual([]);
      // The genuine state was not touched by any of that.
      expect((await callback(back.location)).status).toBe(200);
    });

    it('refuses an expired state', async () => {
      const user = await newUser(stack, []);
      const back = await approve(user, 'slack', (await authorize(user, 'slack')).authorizeUrl);
      const key = `${stack.queuePrefix}:oauth-state:${back.state!.split('.')[0]}`;
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(9 * 60_000);
      expect(ttl).toBeLessThanOrEqual(10 * 60_000);
      // Ten minutes pass.
      await redis.pexpire(key, 1);
      await waitFor(async () => (await redis.exists(key)) === 0, 'the state to expire');

      const expired = await callback(back.location);
      expectProblem(expired, 400, 'state');
      expect(expired.body.detail).toContain('expired');
      expect(await listed(user)).toEqual([]);
    });

    it("refuses user A's state in user B's session, and burns it", async () => {
      const [alice, bob] = [await newUser(stack, []), await newUser(stack, [])];
      const back = await approve(alice, 'github', (await authorize(alice, 'github')).authorizeUrl);
      const exchanges = tokenExchanges().length;

      const crossed = await callback(back.location, bob.jwt);
      expectProblem(crossed, 400, 'state');
      expect(crossed.body.detail).toContain('another user');
      expect(tokenExchanges()).toHaveLength(exchanges);
      expect(await listed(alice)).toEqual([]);
      expect(await listed(bob)).toEqual([]);
      expectProblem(await callback(back.location), 400, 'state');

      // A bad JWT on the callback is refused as on any route; Alice's own session works.
      const again = await approve(alice, 'github', (await authorize(alice, 'github')).authorizeUrl);
      expect((await callback(again.location, mintJwt(alice.subject, { secret: 'x'.repeat(40) }))).status).toBe(401);
      expect((await callback(again.location, alice.jwt)).status).toBe(200);
    });

    it("cannot bind a GitHub code issued to someone else's flow (PKCE), and burns it", async () => {
      const [victim, attacker] = [await newUser(stack, []), await newUser(stack, [])];
      // The attacker runs a flow of their own and stops at the redirect, keeping their code.
      const attackersRedirect = await approve(attacker, 'github', (await authorize(attacker, 'github')).authorizeUrl);
      const attackersCode = attackersRedirect.code!;
      // The victim is lured through the callback with their own state but the attacker's code.
      const victimsRedirect = await approve(victim, 'github', (await authorize(victim, 'github')).authorizeUrl);

      const injected = await callback(withParam(victimsRedirect.location, 'code', attackersCode));

      expect(injected.status).toBe(422);
      expect(injected.body).toMatchObject({ type: 'https://statusync.dev/problems/oauth-refused', platform: 'github', platformError: 'bad_code_verifier' });
      expect(await rowOf(victim, 'github')).toBeUndefined();
      expect(await rowOf(attacker, 'github')).toBeUndefined();
      // Presented once, the code is spent: not even the attacker's own flow can use it any more.
      expect((await callback(attackersRedirect.location)).body).toMatchObject({ platformError: 'bad_verification_code' });
      expect(await rowOf(attacker, 'github')).toBeUndefined();
    });

    it('cannot bind a Slack code issued for another redirect URI', async () => {
      const [victim, attacker] = [await newUser(stack, []), await newUser(stack, [])];
      const url = new URL((await authorize(attacker, 'slack')).authorizeUrl);
      url.searchParams.set('redirect_uri', `${SLACK_APP.redirectUrls[0]}/elsewhere`);
      const foreignCode = (await approve(attacker, 'slack', url.toString())).code!;
      const victimsRedirect = await approve(victim, 'slack', (await authorize(victim, 'slack')).authorizeUrl);

      const injected = await callback(withParam(victimsRedirect.location, 'code', foreignCode));

      expect(injected.status).toBe(422);
      expect(injected.body).toMatchObject({ platform: 'slack', platformError: 'bad_redirect_uri' });
      expect(await rowOf(victim, 'slack')).toBeUndefined();
    });
  });

  describe('provider refusals: 422 with the provider error, nothing stored', () => {
    it.each([
      ['github', 'access_denied'],
      ['slack', 'access_denied'],
    ] as const)('%s: the person declines (%s)', async (platform, code) => {
      const user = await newUser(stack, []);
      const started = await authorize(user, platform);
      (platform === 'github' ? stack.github : stack.slack).oauthDeclineNext();
      const back = await approve(user, platform, started.authorizeUrl);
      expect(back.error).toBe(code);

      const declined = await callback(back.location);
      expect(declined.status).toBe(422);
      expect(declined.body).toMatchObject({ platform, platformError: code, errors: [{ field: 'code', reason: `${platform} answered ${code}` }] });
      expect(await listed(user)).toEqual([]);
      // The state was used up by the refusal.
      expectProblem(await callback(withParam(back.location, 'code', 'late-code')), 400, 'state');
    });

    it.each([
      ['github', 'bad_verification_code'],
      ['slack', 'invalid_code'],
    ] as const)('%s: a used code (%s)', async (platform, code) => {
      const user = await newUser(stack, []);
      const first = await approve(user, platform, (await authorize(user, platform)).authorizeUrl);
      expect((await callback(first.location)).status).toBe(200);
      const before = await listed(user);
      const second = await approve(user, platform, (await authorize(user, platform)).authorizeUrl);

      const reused = await callback(withParam(second.location, 'code', first.code!));

      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ platform, platformError: code });
      expect(await listed(user)).toEqual(before);
      const events = await stack.db.query(`SELECT event FROM audit_events WHERE user_id = $1`, [await userIdOf(stack, user)]);
      expect(events.rows).toEqual([{ event: 'oauth.connected' }]);
    });

    it('a gateway without an OAuth app answers 404 not-configured on both routes', async () => {
      const bare = await stack.startService('api-gateway', { GITHUB_OAUTH_CLIENT_ID: '', GITHUB_OAUTH_CLIENT_SECRET: '', SLACK_OAUTH_CLIENT_ID: '', SLACK_OAUTH_CLIENT_SECRET: '' });
      const user = await newUser(stack, []);
      for (const path of ['/api/v1/oauth/slack/authorize', '/api/v1/oauth/github/callback?code=x&state=y']) {
        const answer = await fetch(`${bare.url}${path}`, { headers: { authorization: `Bearer ${user.jwt}` } });
        expect(answer.status).toBe(404);
        expect(await answer.json()).toMatchObject({ type: 'https://statusync.dev/problems/not-configured', title: 'Not configured' });
      }
      // An unknown platform is bad input, as on the other platform routes.
      expect((await stack.api.get('/api/v1/oauth/myspace/authorize', user.jwt)).status).toBe(400);
      expect((await stack.api.get('/api/v1/oauth/github/authorize')).status).toBe(401);
      await bare.stop();
      // It starts a gateway of its own: that alone took 5 s on a loaded 2-core machine (jest's default timeout).
    }, 30_000);
  });

  describe('Slack token rotation in the worker', () => {
    afterEach(() => stack.slack.setOAuthTokenLifetime(LONG_LIFE_SECONDS));

    const slackTokensOf = async (user: TestUser) => {
      const row = (await rowOf(user, 'slack'))!;
      return {
        row,
        access: cipher.decrypt({ ciphertext: row.token_ciphertext, keyId: row.token_key_id }, `${row.user_id}/slack`),
        refresh: cipher.decrypt({ ciphertext: row.refresh_token_ciphertext, keyId: row.refresh_token_key_id }, `${row.user_id}/slack/refresh`),
      };
    };
    const refreshCalls = (user: TestUser) => stack.slack.oauthRequests.filter((r) => r.grantType === 'refresh_token' && r.userId === user.slackUserId);
    const pushSlack = async (user: TestUser, message: string) => {
      const update = await stack.api.post('/api/v1/status/update', user.jwt, { message, emoji: ':zzz:', platforms: ['slack'] });
      expect(update.status).toBe(202);
      return (await settled(stack, user, update.body.id)).platforms.slack;
    };

    it('refreshes a token that expires within 5 minutes before the sync, and keeps only the newest pair', async () => {
      stack.slack.setOAuthTokenLifetime(240);
      const user = await newUser(stack, []);
      expect((await connect(user, 'slack')).status).toBe(200);
      const before = await slackTokensOf(user);
      stack.slack.setOAuthTokenLifetime(LONG_LIFE_SECONDS);

      expect(await pushSlack(user, 'Refreshed first')).toMatchObject({ state: 'succeeded', attempts: 1 });

      expect(refreshCalls(user)).toEqual([expect.objectContaining({ error: null })]);
      const after = await slackTokensOf(user);
      expect(after.access).not.toBe(before.access);
      expect(after.refresh).not.toBe(before.refresh);
      expect(new Date(after.row.token_expires_at).getTime()).toBeGreaterThan(Date.now() + (LONG_LIFE_SECONDS - 60) * 1000);
      // The only write went out with the new token; the old refresh token is dead at Slack.
      expect(stack.slack.profileWrites(user.slackUserId).map((w) => w.token)).toEqual([after.access]);
      const reuse = await fetch(`${stack.slack.apiUrl}oauth.v2.access`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: SLACK_APP.clientId, client_secret: SLACK_APP.clientSecret, grant_type: 'refresh_token', refresh_token: before.refresh }),
      });
      expect(await reuse.json()).toEqual({ ok: false, error: 'invalid_refresh_token' });

      // The next update uses the stored new token as it is: no second refresh.
      expect(await pushSlack(user, 'Again')).toMatchObject({ state: 'succeeded' });
      expect(refreshCalls(user)).toHaveLength(1);
    });

    it('answers token_expired with a refresh and a retry within the same attempt', async () => {
      const user = await newUser(stack, []);
      expect((await connect(user, 'slack')).status).toBe(200);
      const before = await slackTokensOf(user);
      stack.slack.expireToken(before.access);
      const seen = stack.slack.requests.length;

      expect(await pushSlack(user, 'After token_expired')).toMatchObject({ state: 'succeeded', attempts: 1, errorCode: null });

      const after = await slackTokensOf(user);
      const calls = stack.slack.requests.slice(seen);
      expect(calls.map((r) => [r.method, r.token, (r.responseBody as { error?: string }).error ?? 'ok'])).toEqual([
        ['users.profile.set', before.access, 'token_expired'],
        ['oauth.v2.access', null, 'ok'],
        ['users.profile.set', after.access, 'ok'],
      ]);
      expect(after.access).not.toBe(before.access);
      expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('After token_expired');
    });

    it('marks the config reauth_required with the reason when the refresh is refused', async () => {
      stack.slack.setOAuthTokenLifetime(120);
      const user = await newUser(stack, []);
      expect((await connect(user, 'slack')).status).toBe(200);
      // Someone else spends the refresh token first (it leaked, or another installation rotated it).
      const { refresh } = await slackTokensOf(user);
      const stolen = await fetch(`${stack.slack.apiUrl}oauth.v2.access`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: SLACK_APP.clientId, client_secret: SLACK_APP.clientSecret, grant_type: 'refresh_token', refresh_token: refresh }),
      });
      expect(await stolen.json()).toMatchObject({ ok: true });

      expect(await pushSlack(user, 'Will not arrive')).toMatchObject({ state: 'failed', attempts: 1, errorCode: 'invalid_refresh_token' });

      expect(stack.slack.profileWrites(user.slackUserId)).toEqual([]);
      expect((await listed(user))[0]).toMatchObject({ platform: 'slack', state: 'reauth_required', reauthReason: 'token refresh failed: invalid_refresh_token' });
      const events = await stack.db.query(`SELECT event, details FROM audit_events WHERE user_id = $1 ORDER BY id`, [await userIdOf(stack, user)]);
      expect(events.rows.map((e) => e.event)).toEqual(['oauth.connected', 'oauth.refresh_failed']);
      // Later updates fail fast until the person connects again; connecting again clears it.
      expect(await pushSlack(user, 'Still not')).toMatchObject({ state: 'failed', errorCode: 'reauth_required' });
      stack.slack.setOAuthTokenLifetime(LONG_LIFE_SECONDS);
      expect((await connect(user, 'slack')).body).toMatchObject({ state: 'active', reauthReason: null });
      expect(await pushSlack(user, 'Back')).toMatchObject({ state: 'succeeded' });
    });
  });

  describe('secrets', () => {
    /** Every token, refresh token and code the fakes handed out during this file. */
    const issuedSecrets = async () => {
      const github = (await (await fetch(`${stack.github.url}/_fake/state`)).json()) as { tokens: { token: string }[] };
      const secrets = github.tokens.map((t) => t.token).filter((t) => t.startsWith('gho_'));
      for (const request of stack.slack.requests.filter((r) => r.method === 'oauth.v2.access')) {
        const body = request.responseBody as { access_token?: string; refresh_token?: string; authed_user?: { access_token?: string; refresh_token?: string } };
        for (const value of [body.access_token, body.refresh_token, body.authed_user?.access_token, body.authed_user?.refresh_token, request.params.code as string | undefined]) {
          if (value) secrets.push(value);
        }
      }
      return secrets;
    };
    const encodings = (secret: string) => [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')];
    const leaksIn = (text: string, secrets: string[]) => secrets.flatMap(encodings).filter((s) => text.includes(s));

    it('never returns a token, refresh token or code in an API answer, nor stores one in plain text', async () => {
      const secrets = await issuedSecrets();
      expect(secrets.filter((s) => s.startsWith('gho_')).length).toBeGreaterThan(5);
      expect(secrets.filter((s) => s.startsWith('xoxe-')).length).toBeGreaterThan(5);
      expect(RESPONSES_SEEN.length).toBeGreaterThan(50);
      expect(RESPONSES_SEEN.filter((body) => leaksIn(body, secrets).length > 0)).toEqual([]);

      const { rows } = await stack.db.query(`SELECT row_to_json(c)::text AS row FROM platform_configs c UNION ALL SELECT row_to_json(a)::text FROM audit_events a`);
      const dumped = rows.map((r) => r.row).join('\n');
      expect(dumped).toContain('oauth');
      expect(leaksIn(dumped, secrets)).toEqual([]);
      const blobs = await stack.db.query(`SELECT token_ciphertext, refresh_token_ciphertext FROM platform_configs`);
      for (const row of blobs.rows) {
        for (const blob of [row.token_ciphertext, row.refresh_token_ciphertext].filter(Boolean) as Buffer[]) {
          for (const secret of secrets) expect(blob.includes(Buffer.from(secret))).toBe(false);
        }
      }
    });

    it('writes no token, refresh token, code or state to any service log', async () => {
      const secrets = await issuedSecrets();
      const states = stack.github.oauthRequests.length + stack.slack.oauthRequests.length;
      expect(states).toBeGreaterThan(10);
      for (const service of Object.values(stack.services)) expect(await service.stop()).toEqual({ code: 0, signal: null });
      const gatewayLog = stack.services['api-gateway'].logs();
      expect(gatewayLog).toContain('/api/v1/oauth/github/callback?code=redacted&state=redacted');
      expect(stack.services['sync-worker'].logs()).toContain('status sync finished');
      for (const service of Object.values(stack.services)) {
        expect({ service: service.name, leaks: leaksIn(service.logs() + service.stderrText, secrets) }).toEqual({ service: service.name, leaks: [] });
      }
      // States are secrets too until used: none appears in the gateway's log.
      const stateValues = [...gatewayLog.matchAll(/state=([A-Za-z0-9_.-]{20,})/g)].map((m) => m[1]);
      expect(stateValues).toEqual([]);
    });
  });
});
