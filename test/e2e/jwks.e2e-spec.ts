import { createHmac, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import jwt from 'jsonwebtoken';
import { ApiResponse } from '../support/api-client';
import { startStack, TestStack } from '../support/stack';
import { E2E } from '../support/test-env';

const CURRENT = '/api/v1/status/current';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const uniqueSubject = (label: string) => `jwks-${label}-${randomBytes(4).toString('hex')}`;

/** An RSA signing key of an identity provider, as it would publish it in its JWKS. */
class SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(readonly kid: string) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  }

  get jwk() {
    return { ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  sign(subject: string, options: jwt.SignOptions = {}): string {
    return jwt.sign({}, this.privateKey, { algorithm: 'RS256', keyid: this.kid, subject, expiresIn: 600, ...options });
  }
}

/** A JWKS endpoint whose keys the test changes, counting how often it is fetched. */
class JwksServer {
  keys: SigningKey[] = [];
  fetches = 0;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<JwksServer> {
    let jwks: JwksServer | undefined;
    const server = createServer((_request, response) => {
      jwks!.fetches++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks!.keys.map((key) => key.jwk) }));
    });
    jwks = new JwksServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return jwks;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/.well-known/jwks.json`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('RS256 tokens verified against a JWKS (JWT_JWKS_URL, no JWT_SECRET)', () => {
  let stack: TestStack;
  let jwks: JwksServer;
  const first = new SigningKey(`k1-${randomBytes(3).toString('hex')}`);
  const rotated = new SigningKey(`k2-${randomBytes(3).toString('hex')}`);

  beforeAll(async () => {
    jwks = await JwksServer.start();
    jwks.keys = [first];
    // JWT_SECRET empty = unset: only the identity provider's keys are trusted.
    stack = await startStack('jwks', { services: ['api-gateway'], env: { JWT_SECRET: '', JWT_JWKS_URL: jwks.url } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await jwks?.close();
  });

  const get = (token: string) => stack.api.get(CURRENT, token);

  function expectUnauthorized(answer: ApiResponse, detail: RegExp) {
    expect({ status: answer.status, type: answer.body?.type }).toEqual({ status: 401, type: 'https://statusync.dev/problems/unauthorized' });
    expect(answer.body.detail).toMatch(detail);
  }

  it('accepts an RS256 token signed with a published key, and fetches the JWKS once for it', async () => {
    const before = jwks.fetches;
    expect((await get(first.sign(uniqueSubject('first')))).status).toBe(200);
    expect(jwks.fetches).toBe(before + 1);
    // The key is cached: more tokens with the same kid cost no fetch.
    for (let i = 0; i < 5; i++) expect((await get(first.sign(uniqueSubject('cached')))).status).toBe(200);
    expect(jwks.fetches).toBe(before + 1);
  });

  it('accepts a token with a new kid after key rotation, as soon as the JWKS serves the new key', async () => {
    const token = rotated.sign(uniqueSubject('rotated'));
    // Signed with a key the provider has not published yet: unknown kid, refused (after looking once).
    const early = jwks.fetches;
    expectUnauthorized(await get(token), /invalid token/);
    expect(jwks.fetches).toBe(early + 1);

    jwks.keys = [first, rotated];
    expect((await get(token)).status).toBe(200);
    expect(jwks.fetches).toBe(early + 2);
    expect((await get(rotated.sign(uniqueSubject('rotated-again')))).status).toBe(200);
    expect(jwks.fetches).toBe(early + 2);
  });

  it('refuses a token signed by another key under a published kid', async () => {
    const impostor = new SigningKey(first.kid);
    expectUnauthorized(await get(impostor.sign(uniqueSubject('impostor'))), /invalid signature/);
  });

  it('refuses HS256 tokens when only the JWKS is configured: with any secret, and keyed with the public key', async () => {
    expectUnauthorized(await get(jwt.sign({}, E2E.jwtSecret, { algorithm: 'HS256', subject: uniqueSubject('hs'), expiresIn: 600 })), /algorithm HS256 is not accepted/);
    // Algorithm confusion: HMAC keyed with the published RSA public key (what a naive verifier would accept).
    const pem = first.publicKey.export({ format: 'pem', type: 'spki' });
    const header = b64url({ alg: 'HS256', typ: 'JWT', kid: first.kid });
    const payload = b64url({ sub: uniqueSubject('confusion'), iat: nowSeconds(), exp: nowSeconds() + 600 });
    const confused = `${header}.${payload}.${createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url')}`;
    expectUnauthorized(await get(confused), /algorithm HS256 is not accepted/);
  });

  it('refuses RS256 tokens without exp, or expired beyond the 30 s of clock skew', async () => {
    const noExp = jwt.sign({}, first.privateKey, { algorithm: 'RS256', keyid: first.kid, subject: uniqueSubject('noexp') });
    expectUnauthorized(await get(noExp), /token has no exp claim/);
    const expired = first.sign(uniqueSubject('expired'), { expiresIn: -60 });
    expectUnauthorized(await get(expired), /token expired/);
    // Within the tolerated skew it is still good.
    expect((await get(first.sign(uniqueSubject('skew'), { expiresIn: -10 }))).status).toBe(200);
  });
});
