import Fastify, { FastifyInstance } from 'fastify';
import { metricsRegistry } from './metrics';
import { mountMetricsEndpoint, timeHttpRequests } from './metrics-endpoint';

describe('mountMetricsEndpoint', () => {
  let app: FastifyInstance;
  let base = '';

  beforeEach(() => {
    app = Fastify();
    timeHttpRequests(app);
    app.get('/things/:id', async () => ({ ok: true }));
  });

  // A real socket: Fastify's inject needs an ESM-only module Jest cannot load here.
  const get = async (path: string, headers: Record<string, string> = {}) => {
    if (!app.server.listening) base = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${base}${path}`, { headers });
    const body = await response.text();
    return { statusCode: response.status, headers: { 'content-type': response.headers.get('content-type') }, body, json: () => JSON.parse(body) };
  };

  afterEach(() => app.close());

  it('is not mounted in production without a token', async () => {
    expect(mountMetricsEndpoint(app, { production: true })).toMatch(/^disabled/);
    expect((await get('/metrics')).statusCode).toBe(404);
  });

  it('is open outside production without a token', async () => {
    mountMetricsEndpoint(app, { production: false });
    const answer = await get('/metrics');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe(metricsRegistry.contentType);
  });

  it('asks for the bearer token when one is set, naming the header', async () => {
    mountMetricsEndpoint(app, { token: 't'.repeat(20), production: true });
    const missing = await get('/metrics');
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ errors: [{ field: 'Authorization', reason: 'is required' }] });
    const wrong = await get('/metrics', { authorization: `Bearer ${'x'.repeat(20)}` });
    expect(wrong.json()).toMatchObject({ errors: [{ field: 'Authorization', reason: 'is not the metrics token' }] });
    expect((await get('/metrics', { authorization: `Bearer ${'t'.repeat(20)}` })).statusCode).toBe(200);
  });

  it('labels requests with the templated route, and unmatched paths with one label', async () => {
    mountMetricsEndpoint(app, { production: false });
    await get('/things/123');
    await get('/no/such/path/4711');
    const text = (await get('/metrics')).body;
    expect(text).toContain('route="/things/:id",method="GET",status_class="2xx"');
    expect(text).toContain('route="unmatched",method="GET",status_class="4xx"');
    expect(text).not.toContain('4711');
  });
});
