import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ApiResponse } from '../support/api-client';
import { mintJwt } from '../support/jwt';
import { startStack, TestStack } from '../support/stack';
import { E2E } from '../support/test-env';

const ISSUER = 'https://id.e2e.test';
const AUDIENCE = 'statusync-e2e';
const CURRENT = '/api/v1/status/current';

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const uniqueSubject = (label: string) => `auth-${label}-${randomBytes(4).toString('hex')}`;

/** A valid token for this stack: right secret, issuer and audience. */
const validJwt = (subject: string, claims: Record<string, unknown> = {}) => mintJwt(subject, { issuer: ISSUER, audience: AUDIENCE, claims });

/** Full control over the payload (no claims added by jsonwebtoken), HS256 with the stack's secret. */
const signPayload = (payload: Record<string, unknown>, secret: string = E2E.jwtSecret) => jwt.sign(payload, secret, { algorithm: 'HS256', noTimestamp: true });

/** A payload that is valid in every respect but the ones overridden. */
const claimsFor = (subject: unknown, overrides: Record<string, unknown> = {}) => ({
  sub: subject,
  iss: ISSUER,
  aud: AUDIENCE,
  iat: nowSeconds(),
  exp: nowSeconds() + 600,
  ...overrides,
});

/** Signs header.payload by hand, so the header can say anything. */
const handMade = (header: Record<string, unknown>, payload: Record<string, unknown>, sign: (input: string) => string) => {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign(input)}`;
};

describe('every /api/v1 route needs a valid bearer JWT', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('auth', { env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
  }, 60_000);

  afterAll(() => stack?.stop());

  const get = (token?: string, headers: Record<string, string> = {}) => stack.api.request('GET', CURRENT, { token, headers });
  const withAuthorization = (authorization: string) => get(undefined, { authorization });

  const userCount = async (subject: string) =>
    Number((await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE subject = $1', [subject])).rows[0].n);

  /** The one shape of every 401: problem details that say why. */
  function expectUnauthorized(answer: ApiResponse, detail: string | RegExp) {
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: 'https://statusync.dev/problems/unauthorized', title: 'Unauthorized', status: 401 });
    expect(answer.body.detail).toEqual(typeof detail === 'string' ? detail : expect.stringMatching(detail));
    expect(typeof answer.body.requestId).toBe('string');
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
    // A 401 names only the header at fault, never anything about the caller's data.
    expect(answer.body.errors).toEqual([{ field: 'Authorization', reason: answer.body.detail }]);
  }

  describe('accepted', () => {
    it('answers 200 to a valid token and creates the user on first sight, once', async () => {
      const subject = uniqueSubject('valid');
      expect(await userCount(subject)).toBe(0);

      const first = await get(validJwt(subject));
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ requested: null, platforms: {} });
      expect(await userCount(subject)).toBe(1);

      // A second, different token for the same subject is the same user.
      const again = await get(validJwt(subject, { role: 'admin' }));
      expect(again.status).toBe(200);
      expect(await userCount(subject)).toBe(1);
    });

    it('keeps the org_id claim on the user', async () => {
      const subject = uniqueSubject('org');
      expect((await get(validJwt(subject, { org_id: 'org-42', role: 'member' }))).status).toBe(200);
      const { rows } = await stack.db.query('SELECT org_id FROM users WHERE subject = $1', [subject]);
      expect(rows).toEqual([{ org_id: 'org-42' }]);
    });

    it('tolerates clocks that disagree by less than 30 s (exp and nbf)', async () => {
      const justExpired = signPayload(claimsFor(uniqueSubject('skew-exp'), { iat: nowSeconds() - 600, exp: nowSeconds() - 10 }));
      expect((await get(justExpired)).status).toBe(200);
      const almostValid = signPayload(claimsFor(uniqueSubject('skew-nbf'), { nbf: nowSeconds() + 10 }));
      expect((await get(almostValid)).status).toBe(200);
    });

    it('serves the health routes without a token', async () => {
      const live = await stack.api.get('/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok' });
      const ready = await stack.api.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } } });
    });
  });

  describe('refused with 401', () => {
    it('refuses every /api/v1 route without a token, before looking at the body', async () => {
      const uuid = '00000000-0000-4000-8000-000000000000';
      const routes: [string, string, unknown?][] = [
        ['GET', '/api/v1/status/current'],
        ['GET', '/api/v1/status/presets'],
        ['GET', '/api/v1/status/history'],
        ['GET', `/api/v1/status/updates/${uuid}`],
        ['POST', '/api/v1/status/update', { message: 'x'.repeat(500) }],
        ['POST', '/api/v1/status/presets/busy'],
        ['POST', '/api/v1/status/clear'],
        ['GET', '/api/v1/config/platforms'],
        ['POST', '/api/v1/config/platforms', { platform: 'github', token: 'ghp_whatever123' }],
        ['DELETE', '/api/v1/config/platforms/github'],
      ];
      for (const [method, path, body] of routes) {
        const answer = await stack.api.request(method, path, { body });
        expect({ method, path, status: answer.status }).toEqual({ method, path, status: 401 });
        expectUnauthorized(answer, 'missing bearer token: send Authorization: Bearer <JWT>');
      }
    });

    it('refuses a missing or malformed Authorization header', async () => {
      const missing = 'missing bearer token: send Authorization: Bearer <JWT>';
      expectUnauthorized(await get(), missing);
      expectUnauthorized(await withAuthorization('Bearer'), missing);
      expectUnauthorized(await withAuthorization('Bearer '), missing);
      expectUnauthorized(await withAuthorization('Basic x'), missing);
      expectUnauthorized(await withAuthorization(`Basic ${Buffer.from('admin:admin').toString('base64')}`), missing);
      // The token itself, without the scheme.
      expectUnauthorized(await withAuthorization(validJwt(uniqueSubject('noscheme'))), missing);
    });

    it('refuses garbage that is not a JWT', async () => {
      for (const garbage of ['garbage', 'not.a.jwt', 'a.b', `${b64url({ typ: 'JWT' })}.${b64url({ sub: 'x' })}.sig`]) {
        expectUnauthorized(await get(garbage), 'jwt malformed');
      }
      // A readable header over an unreadable payload: jsonwebtoken's own words.
      expectUnauthorized(await get(`${b64url({ alg: 'HS256', typ: 'JWT' })}.%%%.***`), /^(jwt malformed|invalid token)$/);
    });

    it('refuses an expired token (beyond the 30 s tolerance)', async () => {
      const token = signPayload(claimsFor(uniqueSubject('expired'), { iat: nowSeconds() - 3600, exp: nowSeconds() - 120 }));
      expectUnauthorized(await get(token), 'token expired');
    });

    it('refuses a token that is not valid yet (nbf 5 minutes ahead)', async () => {
      const token = signPayload(claimsFor(uniqueSubject('nbf'), { nbf: nowSeconds() + 300 }));
      expectUnauthorized(await get(token), 'token not yet valid (nbf)');
    });

    it('refuses a token signed with another secret', async () => {
      const token = mintJwt(uniqueSubject('othersecret'), { issuer: ISSUER, audience: AUDIENCE, secret: 'another-secret-that-is-long-enough-9876543210' });
      expectUnauthorized(await get(token), 'invalid signature');
    });

    it('refuses alg: none', async () => {
      const payload = claimsFor(uniqueSubject('none'));
      const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
      expectUnauthorized(await get(unsigned), /algorithm none is not accepted/);
      // Same with the header's alg in other spellings.
      for (const alg of ['None', 'NONE']) {
        expectUnauthorized(await get(`${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}.`), /not accepted/);
      }
    });

    it('refuses algorithm confusion: RS256, and HS256 keyed with the public key', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      const rs256 = jwt.sign(claimsFor(uniqueSubject('rs256')), privateKey, { algorithm: 'RS256', noTimestamp: true });
      expectUnauthorized(await get(rs256), /algorithm RS256 is not accepted/);

      const hsWithPublicKey = handMade({ alg: 'HS256', typ: 'JWT' }, claimsFor(uniqueSubject('confusion')), (input) =>
        createHmac('sha256', publicKey).update(input).digest('base64url'),
      );
      expectUnauthorized(await get(hsWithPublicKey), 'invalid signature');

      // Other HMAC strengths are not configured either, even with the right secret.
      const hs512 = jwt.sign(claimsFor(uniqueSubject('hs512')), E2E.jwtSecret, { algorithm: 'HS512', noTimestamp: true });
      expectUnauthorized(await get(hs512), /algorithm HS512 is not accepted/);
    });

    it('refuses the wrong issuer or audience, and tokens without them', async () => {
      const subject = uniqueSubject('issaud');
      expectUnauthorized(await get(mintJwt(subject, { issuer: 'https://evil.example', audience: AUDIENCE })), `jwt issuer invalid. expected: ${ISSUER}`);
      expectUnauthorized(await get(mintJwt(subject, { issuer: ISSUER, audience: 'someone-else' })), `jwt audience invalid. expected: ${AUDIENCE}`);
      expectUnauthorized(await get(mintJwt(subject, { audience: AUDIENCE })), `jwt issuer invalid. expected: ${ISSUER}`);
      expectUnauthorized(await get(mintJwt(subject, { issuer: ISSUER })), `jwt audience invalid. expected: ${AUDIENCE}`);
    });

    it('refuses a token without exp', async () => {
      const token = jwt.sign({}, E2E.jwtSecret, { algorithm: 'HS256', subject: uniqueSubject('noexp'), issuer: ISSUER, audience: AUDIENCE, noTimestamp: true });
      expect(jwt.decode(token)).not.toHaveProperty('exp');
      expectUnauthorized(await get(token), 'token has no exp claim');
    });

    it('refuses a missing, non-string, empty or over-long sub', async () => {
      const reason = 'token sub must be a string of 1-255 characters';
      const { sub: _omitted, ...withoutSub } = claimsFor('ignored');
      expectUnauthorized(await get(signPayload(withoutSub)), reason);
      expectUnauthorized(await get(signPayload(claimsFor(12345))), reason);
      expectUnauthorized(await get(signPayload(claimsFor({ id: 'x' }))), reason);
      expectUnauthorized(await get(signPayload(claimsFor(''))), reason);
      expectUnauthorized(await get(validJwt('s'.repeat(256))), reason);
      // 255 is the limit, not over it.
      expect((await get(validJwt(`auth-255-${randomBytes(4).toString('hex')}`.padEnd(255, 'x')))).status).toBe(200);
    });

    it("refuses a role other than 'member' or 'admin', and a non-string org_id", async () => {
      for (const role of ['owner', 'Admin', '', 1, ['admin'], null]) {
        expectUnauthorized(await get(validJwt(uniqueSubject('role'), { role })), "token role must be 'member' or 'admin'");
      }
      expectUnauthorized(await get(validJwt(uniqueSubject('org'), { org_id: 42 })), 'token org_id must be a string');
    });

    it('refuses a token whose payload was changed after signing', async () => {
      const token = validJwt(uniqueSubject('victim'));
      const [header, , signature] = token.split('.');
      const forged = b64url({ ...(jwt.decode(token) as object), sub: uniqueSubject('attacker'), role: 'admin' });
      expectUnauthorized(await get(`${header}.${forged}.${signature}`), 'invalid signature');
      // And the signature cut off.
      expectUnauthorized(await get(`${header}.${token.split('.')[1]}.`), /^jwt signature is required|^invalid signature$/);
    });

    it('never creates a user for a refused token', async () => {
      const subject = uniqueSubject('refused');
      const refused = [
        signPayload(claimsFor(subject, { exp: nowSeconds() - 120 })),
        signPayload(claimsFor(subject, { nbf: nowSeconds() + 300 })),
        mintJwt(subject, { issuer: ISSUER, audience: AUDIENCE, secret: 'another-secret-that-is-long-enough-9876543210' }),
        mintJwt(subject, { issuer: 'https://evil.example', audience: AUDIENCE }),
        mintJwt(subject, { issuer: ISSUER, audience: 'someone-else' }),
        `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claimsFor(subject))}.`,
        jwt.sign({}, E2E.jwtSecret, { algorithm: 'HS256', subject, issuer: ISSUER, audience: AUDIENCE, noTimestamp: true }),
        validJwt(subject, { role: 'owner' }),
        validJwt(subject, { org_id: 7 }),
      ];
      for (const token of refused) expect((await get(token)).status).toBe(401);
      expect(await userCount(subject)).toBe(0);
      // Write routes too: the guard runs before anything is stored.
      const expired = refused[0];
      expect((await stack.api.post('/api/v1/status/update', expired, { message: 'hi' })).status).toBe(401);
      expect((await stack.api.post('/api/v1/config/platforms', expired, { platform: 'github', token: 'ghp_whatever123' })).status).toBe(401);
      expect(await userCount(subject)).toBe(0);
      // The control: the same subject with a valid token is created.
      expect((await get(validJwt(subject))).status).toBe(200);
      expect(await userCount(subject)).toBe(1);
    });
  });
});
