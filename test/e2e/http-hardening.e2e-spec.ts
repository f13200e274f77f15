import { ApiClient, ApiResponse } from '../support/api-client';
import { mintJwt } from '../support/jwt';
import { startStack, TestStack } from '../support/stack';

const APP_ORIGIN = 'https://app.example.com';
const DEV_ORIGIN = 'http://localhost:5173';
const CURRENT = '/api/v1/status/current';

const accessControlHeaders = (answer: ApiResponse) => [...answer.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('HTTP hardening: security headers, CORS, API docs', () => {
  let stack: TestStack;
  let withoutCors: ApiClient;
  const jwt = mintJwt('hardening-user');

  beforeAll(async () => {
    stack = await startStack('hardening', { services: ['api-gateway'], env: { CORS_ORIGINS: `${APP_ORIGIN},${DEV_ORIGIN}` } });
    withoutCors = new ApiClient((await stack.startService('api-gateway', { CORS_ORIGINS: '' })).url);
  }, 60_000);

  afterAll(() => stack?.stop());

  const preflight = (api: ApiClient, origin: string, method = 'POST', headers = 'authorization,content-type,idempotency-key') =>
    api.request('OPTIONS', '/api/v1/status/update', {
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });

  describe('security headers (helmet)', () => {
    it.each([
      ['a 200', () => stack.api.get(CURRENT, jwt), 200],
      ['a 401', () => stack.api.get(CURRENT), 401],
      ['a 400', () => stack.api.post('/api/v1/status/update', jwt, { colour: 'blue' }), 400],
      ['a 404 for an unknown route', () => stack.api.get('/api/v1/nothing-here', jwt), 404],
      ['a health probe', () => stack.api.get('/health/live'), 200],
    ])('are on %s answer, with a policy that lets nothing load or frame', async (_case, send, status) => {
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(Object.fromEntries([...answer.headers].filter(([name]) => SECURITY_HEADERS.includes(name)))).toEqual({
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
      });
      expect(answer.headers.get('x-powered-by')).toBeNull();
    });
  });

  describe('Swagger UI at /docs', () => {
    it('is served with a page policy its own files satisfy: no inline script, assets from this origin', async () => {
      const page = await stack.api.get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' https: 'unsafe-inline'");
      expect(csp).toContain("img-src 'self' data:");
      // Reached over plain HTTP when self-hosted: upgrading would break every asset.
      expect(csp).not.toContain('upgrade-insecure-requests');

      const html = page.text;
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]);
      expect(scripts.length).toBeGreaterThan(0);
      // script-src 'self' allows no inline script: every script must come from a file.
      expect(scripts.filter((attributes) => !/\bsrc=/.test(attributes))).toEqual([]);
      const assets = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((match) => new URL(match[1], `${stack.api.baseUrl}/docs`));
      expect(assets.map((url) => url.origin).filter((origin) => origin !== stack.api.baseUrl)).toEqual([]);
      for (const url of assets) {
        const asset = await fetch(url);
        expect({ url: url.pathname, status: asset.status }).toEqual({ url: url.pathname, status: 200 });
        expect(asset.headers.get('content-type')).toMatch(/javascript|css|image/);
      }
    });

    it('serves the OpenAPI document it loads', async () => {
      const document = await stack.api.get('/docs-json');
      expect(document.status).toBe(200);
      expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/api/v1/status/update', '/api/v1/config/platforms']));
    });
  });

  it('Bull Board gets the page policy too (its assets, inline styles and fonts load)', async () => {
    const board = await stack.api.get('/admin/queues');
    expect(board.status).toBe(200);
    const csp = board.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("font-src 'self' https: data:");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  describe('CORS', () => {
    it.each([APP_ORIGIN, DEV_ORIGIN])('answers the preflight of the configured origin %s', async (origin) => {
      const answer = await preflight(stack.api, origin);
      expect(answer.status).toBe(204);
      expect(Object.fromEntries([...answer.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'Authorization, Content-Type, Idempotency-Key, X-Request-Id',
        'access-control-expose-headers': EXPOSED,
        'access-control-max-age': '600',
      });
      // Bearer tokens only: browsers must never send cookies along.
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      expect(answer.headers.get('vary')).toMatch(/Origin/);
    });

    it('lets the configured origin read the answer and the rate-limit headers', async () => {
      const answer = await stack.api.request('GET', CURRENT, { token: jwt, headers: { origin: APP_ORIGIN } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(answer.headers.get('access-control-expose-headers')).toBe(EXPOSED);
    });

    it.each(['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'https://app.example.com:8443', 'null'])(
      'gives %s no CORS header at all, and its preflight a 404',
      async (origin) => {
        const denied = await preflight(stack.api, origin);
        expect({ status: denied.status, cors: accessControlHeaders(denied) }).toEqual({ status: 404, cors: [] });
        const read = await stack.api.request('GET', CURRENT, { token: jwt, headers: { origin } });
        expect({ status: read.status, cors: accessControlHeaders(read) }).toEqual({ status: 200, cors: [] });
      },
    );

    it('is off entirely without CORS_ORIGINS (the default)', async () => {
      for (const origin of [APP_ORIGIN, 'https://evil.example.com']) {
        const denied = await preflight(withoutCors, origin);
        expect({ status: denied.status, cors: accessControlHeaders(denied) }).toEqual({ status: 404, cors: [] });
        const read = await withoutCors.request('GET', CURRENT, { token: jwt, headers: { origin } });
        expect({ status: read.status, cors: accessControlHeaders(read) }).toEqual({ status: 200, cors: [] });
      }
    });
  });
});

const SECURITY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
];

const EXPOSED = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After, Location, X-Request-Id, Idempotent-Replayed';
