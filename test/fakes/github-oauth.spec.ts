import { graphql } from '@octokit/graphql';
import { randomBytes } from 'node:crypto';
import { GithubFake } from './github-fake';
import { s256 } from './oauth-helpers';

const CLIENT = { clientId: 'Iv1.fakeclient', clientSecret: 'fake-secret-1' };
const REDIRECT = 'https://statusync.example/api/v1/oauth/github/callback';

/** Follows nothing: the test reads the redirect itself, as a browser would before following it. */
async function authorize(fake: GithubFake, params: Record<string, string>): Promise<Response> {
  const url = new URL('/login/oauth/authorize', fake.url);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return fetch(url, { redirect: 'manual' });
}

async function codeFrom(fake: GithubFake, params: Record<string, string>): Promise<string> {
  const res = await authorize(fake, params);
  expect(res.status).toBe(302);
  const code = new URL(res.headers.get('location')!).searchParams.get('code');
  expect(code).toMatch(/^[0-9a-f]{20}$/);
  return code!;
}

async function exchange(fake: GithubFake, params: Record<string, string>, headers: Record<string, string> = { accept: 'application/json' }) {
  const res = await fetch(`${fake.url}/login/oauth/access_token`, { method: 'POST', headers, body: new URLSearchParams(params) });
  expect(res.status).toBe(200); // GitHub answers errors with 200 too
  return res;
}

async function viewerLogin(fake: GithubFake, token: string): Promise<string> {
  const gql = graphql.defaults({ baseUrl: fake.url, headers: { authorization: `token ${token}` } });
  const { viewer } = await gql<{ viewer: { login: string } }>('query { viewer { login } }');
  return viewer.login;
}

describe('GithubFake OAuth', () => {
  let fake: GithubFake;
  let now = Date.now();

  beforeAll(async () => {
    fake = await GithubFake.start({ oauthClients: [CLIENT], now: () => now });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    now = Date.now();
    fake.reset();
    fake.oauthLoginAs('octocat');
  });

  const base = { client_id: CLIENT.clientId, redirect_uri: REDIRECT, scope: 'user', state: 'st-1' };
  const secret = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };

  it('redirects with code and state, exchanges the code (PKCE) for a working token with the user scope', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const res = await authorize(fake, { ...base, code_challenge: s256(verifier), code_challenge_method: 'S256' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-1');
    const code = location.searchParams.get('code')!;

    const answer = await exchange(fake, { ...secret, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await answer.json()) as { access_token: string; token_type: string; scope: string };
    expect(body).toEqual({ access_token: expect.stringMatching(/^gho_[0-9a-f]{36}$/), token_type: 'bearer', scope: 'user' });
    expect(await viewerLogin(fake, body.access_token)).toBe('octocat');
    expect(fake.oauthRequests.map((r) => [r.endpoint, r.login, r.error])).toEqual([
      ['authorize', 'octocat', null],
      ['access_token', 'octocat', null],
    ]);
  });

  it('answers form-encoded without Accept: application/json, and takes client credentials as Basic auth', async () => {
    const code = await codeFrom(fake, base);
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
    const answer = await exchange(fake, { code, redirect_uri: REDIRECT }, { authorization: `Basic ${basic}` });
    expect(answer.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(await answer.text());
    expect(form.get('token_type')).toBe('bearer');
    expect(form.get('scope')).toBe('user');
    expect(await viewerLogin(fake, form.get('access_token')!)).toBe('octocat');
  });

  it('lets the `login` parameter pick the person, and the signed-in person grant fewer scopes', async () => {
    const asHubot = await exchange(fake, { ...secret, code: await codeFrom(fake, { ...base, login: 'hubot' }), redirect_uri: REDIRECT });
    expect(await viewerLogin(fake, ((await asHubot.json()) as { access_token: string }).access_token)).toBe('hubot');

    fake.oauthLoginAs('octocat', { grantScopes: ['read:user'] });
    const reduced = (await (await exchange(fake, { ...secret, code: await codeFrom(fake, base), redirect_uri: REDIRECT })).json()) as { scope: string };
    expect(reduced.scope).toBe('read:user');
  });

  it('accepts a code once; presenting it again fails and revokes the token it produced', async () => {
    const code = await codeFrom(fake, base);
    const first = (await (await exchange(fake, { ...secret, code, redirect_uri: REDIRECT })).json()) as { access_token: string };
    const again = await (await exchange(fake, { ...secret, code, redirect_uri: REDIRECT })).json();
    expect(again).toMatchObject({ error: 'bad_verification_code', error_description: expect.any(String) });
    await expect(viewerLogin(fake, first.access_token)).rejects.toMatchObject({ status: 401 });
  });

  it('lets a code expire after 10 minutes', async () => {
    const code = await codeFrom(fake, base);
    now += 10 * 60_000;
    expect(await (await exchange(fake, { ...secret, code, redirect_uri: REDIRECT })).json()).toMatchObject({ error: 'bad_verification_code' });
  });

  it('refuses wrong client credentials and codes of another client with HTTP 200 errors', async () => {
    fake.addOAuthClient({ clientId: 'other-app', clientSecret: 'other-secret' });
    const code = await codeFrom(fake, base);
    expect(await (await exchange(fake, { ...secret, client_secret: 'wrong', code, redirect_uri: REDIRECT })).json()).toMatchObject({ error: 'incorrect_client_credentials' });
    expect(await (await exchange(fake, { client_id: 'nobody', client_secret: 'x', code, redirect_uri: REDIRECT })).json()).toMatchObject({ error: 'incorrect_client_credentials' });
    expect(await (await exchange(fake, { client_id: 'other-app', client_secret: 'other-secret', code, redirect_uri: REDIRECT })).json()).toMatchObject({ error: 'bad_verification_code' });
    // None of those burnt the code: only its own client, with valid credentials, can.
    expect(await (await exchange(fake, { ...secret, code, redirect_uri: REDIRECT })).json()).toMatchObject({ access_token: expect.any(String) });
  });

  it('requires the redirect_uri of the authorize request, and burns the code on a mismatch', async () => {
    const code = await codeFrom(fake, base);
    expect(await (await exchange(fake, { ...secret, code, redirect_uri: 'https://evil.example/cb' })).json()).toMatchObject({ error: 'redirect_uri_mismatch' });
    expect(await (await exchange(fake, { ...secret, code, redirect_uri: REDIRECT })).json()).toMatchObject({ error: 'bad_verification_code' });
    const missing = await codeFrom(fake, base);
    expect(await (await exchange(fake, { ...secret, code: missing })).json()).toMatchObject({ error: 'redirect_uri_mismatch' });
  });

  it('checks the PKCE verifier against the challenge', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const pkce = { ...base, code_challenge: s256(verifier), code_challenge_method: 'S256' };
    const wrong = await codeFrom(fake, pkce);
    expect(await (await exchange(fake, { ...secret, code: wrong, redirect_uri: REDIRECT, code_verifier: randomBytes(32).toString('base64url') })).json()).toMatchObject({ error: 'bad_code_verifier' });
    const none = await codeFrom(fake, pkce);
    expect(await (await exchange(fake, { ...secret, code: none, redirect_uri: REDIRECT })).json()).toMatchObject({ error: 'bad_code_verifier' });

    const plain = await authorize(fake, { ...base, code_challenge: verifier.slice(0, 43), code_challenge_method: 'plain' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('answers broken authorize requests in the browser, and redirects a refusal with error and state', async () => {
    expect((await authorize(fake, { ...base, client_id: 'nobody' })).status).toBe(404);
    fake.oauthLoginAs(null);
    expect((await authorize(fake, base)).status).toBe(401);
    fake.oauthLoginAs('octocat');

    fake.oauthDeclineNext();
    const declined = new URL((await authorize(fake, base)).headers.get('location')!);
    expect(Object.fromEntries(declined.searchParams)).toMatchObject({ error: 'access_denied', state: 'st-1' });
    expect(declined.searchParams.has('code')).toBe(false);
  });

  it('keeps redirects under the registered callback URL', async () => {
    fake.addOAuthClient({ clientId: 'registered', clientSecret: 's', callbackUrl: 'https://statusync.example/api/v1/oauth/github' });
    const ok = await authorize(fake, { ...base, client_id: 'registered' });
    expect(new URL(ok.headers.get('location')!).searchParams.has('code')).toBe(true);
    const elsewhere = new URL((await authorize(fake, { ...base, client_id: 'registered', redirect_uri: 'https://evil.example/api/v1/oauth/github/callback' })).headers.get('location')!);
    expect(elsewhere.origin).toBe('https://statusync.example');
    expect(elsewhere.searchParams.get('error')).toBe('redirect_uri_mismatch');
  });

  it('is driven over HTTP: /_fake/oauth-clients and /_fake/oauth-login', async () => {
    const post = (name: string, body: unknown) => fetch(`${fake.url}/_fake/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('oauth-clients', { clientId: 'http-app', clientSecret: 'http-secret' })).status).toBe(200);
    expect((await post('oauth-login', { login: 'mona' })).status).toBe(200);
    expect((await post('oauth-clients', { clientId: 'x' })).status).toBe(400);
    const code = await codeFrom(fake, { ...base, client_id: 'http-app' });
    const body = (await (await exchange(fake, { client_id: 'http-app', client_secret: 'http-secret', code, redirect_uri: REDIRECT })).json()) as { access_token: string };
    expect(await viewerLogin(fake, body.access_token)).toBe('mona');
  });
});
