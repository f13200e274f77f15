import { createHash, randomBytes } from 'node:crypto';
import { GithubFake } from '../../../../test/fakes/github-fake';
import { approveAt } from '../../../../test/support/oauth-browser';
import { platformFailure } from '../../../../test/support/platform-failure';
import { OAuthProvider } from '../oauth-provider';
import { PlatformAuthError, PlatformUnavailableError } from '../platform-errors';
import { GithubAdapter } from './github.adapter';
import { GithubOAuthProvider } from './github.oauth';

const CLIENT = { clientId: 'Iv1.statusync', clientSecret: 'gh-client-secret' };
const REDIRECT = 'https://statusync.example/api/v1/oauth/github/callback';

const pkce = () => {
  const codeVerifier = randomBytes(32).toString('base64url');
  return { codeVerifier, codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url') };
};

describe('GithubOAuthProvider against the GitHub fake', () => {
  let fake: GithubFake;
  let provider: GithubOAuthProvider;
  const settings = (overrides: Partial<{ clientSecret: string; url: string; timeoutMs: number }> = {}) => ({
    url: fake.url,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    timeoutMs: 2_000,
    ...overrides,
  });

  beforeAll(async () => {
    fake = await GithubFake.start({ oauthClients: [CLIENT] });
    provider = new GithubOAuthProvider(settings(), new GithubAdapter({ graphqlUrl: fake.graphqlUrl, timeoutMs: 2_000 }));
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.oauthLoginAs('octocat');
  });

  it('builds the authorize URL with the client, the user scope, the state and an S256 challenge', () => {
    const url = new URL(provider.authorizeUrl({ state: 'the-state', redirectUri: REDIRECT, codeChallenge: 'c'.repeat(43) }));
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/login/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope: 'user',
      state: 'the-state',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
      allow_signup: 'false',
    });
  });

  it('exchanges the code for a token of the approving account, with the granted scopes', async () => {
    const { codeVerifier, codeChallenge } = pkce();
    const back = await approveAt(provider.authorizeUrl({ state: 's1', redirectUri: REDIRECT, codeChallenge }));
    expect(back.state).toBe('s1');

    const grant = await provider.exchange({ code: back.code!, redirectUri: REDIRECT, codeVerifier });

    expect(grant).toEqual({
      accessToken: expect.stringMatching(/^gho_/),
      refreshToken: null,
      expiresAt: null,
      scopes: ['user'],
      account: { accountId: 'octocat', accountName: 'octocat' },
    });
    expect(fake.oauthRequests.find((r) => r.endpoint === 'access_token')).toMatchObject({ json: true, codeVerifierSent: true, error: null });
    expect((provider as OAuthProvider).refresh).toBeUndefined(); // OAuth App tokens do not expire
  });

  it.each([
    ['a used code', 'bad_verification_code'],
    ['another redirect URI', 'redirect_uri_mismatch'],
    ['another verifier', 'bad_code_verifier'],
  ])('refuses %s for good with GitHub error code', async (what, code) => {
    const { codeVerifier, codeChallenge } = pkce();
    const back = await approveAt(provider.authorizeUrl({ state: 's', redirectUri: REDIRECT, codeChallenge }));
    const exchange = { code: back.code!, redirectUri: REDIRECT, codeVerifier };
    if (what === 'a used code') await provider.exchange(exchange);
    if (what === 'another redirect URI') exchange.redirectUri = 'https://evil.example/cb';
    if (what === 'another verifier') exchange.codeVerifier = pkce().codeVerifier;

    const error = await platformFailure(provider.exchange(exchange), PlatformAuthError, 'github');
    expect(error.code).toBe(code);
    expect(error.permanent).toBe(true);
  });

  it('refuses wrong client credentials with incorrect_client_credentials', async () => {
    const wrong = new GithubOAuthProvider(settings({ clientSecret: 'nope' }), new GithubAdapter({ graphqlUrl: fake.graphqlUrl, timeoutMs: 2_000 }));
    const { codeVerifier, codeChallenge } = pkce();
    const back = await approveAt(wrong.authorizeUrl({ state: 's', redirectUri: REDIRECT, codeChallenge }));
    expect((await platformFailure(wrong.exchange({ code: back.code!, redirectUri: REDIRECT, codeVerifier }), PlatformAuthError, 'github')).code).toBe('incorrect_client_credentials');
  });

  it('refuses a grant without the user scope', async () => {
    fake.oauthLoginAs('octocat', { grantScopes: ['read:user'] });
    const { codeVerifier, codeChallenge } = pkce();
    const back = await approveAt(provider.authorizeUrl({ state: 's', redirectUri: REDIRECT, codeChallenge }));
    expect((await platformFailure(provider.exchange({ code: back.code!, redirectUri: REDIRECT, codeVerifier }), PlatformAuthError, 'github')).code).toBe('insufficient_scopes');
  });

  it('reports an unreachable GitHub as unavailable (worth another try)', async () => {
    const down = new GithubOAuthProvider(settings({ url: 'http://127.0.0.1:9' }), new GithubAdapter({ graphqlUrl: fake.graphqlUrl, timeoutMs: 2_000 }));
    expect((await platformFailure(down.exchange({ code: 'x', redirectUri: REDIRECT, codeVerifier: 'v' }), PlatformUnavailableError, 'github')).code).toBe('network_error');
  });
});
