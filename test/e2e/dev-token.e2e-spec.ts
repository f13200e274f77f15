import { ServiceProcess } from '../support/services';
import { startStack, TestStack } from '../support/stack';

const ROUTE = '/api/v1/dev/token';

describe('development tokens for the web page (POST /api/v1/dev/token)', () => {
  let stack: TestStack;
  let production: ServiceProcess;

  beforeAll(async () => {
    stack = await startStack('dev-token', { services: ['api-gateway'] });
    production = await stack.startService('api-gateway', { NODE_ENV: 'production' });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('mints a token the gateway accepts, with the org and role asked for', async () => {
    const minted = await stack.api.post(ROUTE, undefined, { subject: 'dev-carol', orgId: 'dev-acme', role: 'admin' });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ subject: 'dev-carol', orgId: 'dev-acme', role: 'admin', expiresInSeconds: 3600 });
    const me = await stack.api.get('/api/v1/me', minted.body.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ subject: 'dev-carol', orgId: 'dev-acme', role: 'admin' });
    const plain = await stack.api.post(ROUTE, undefined, { subject: 'dev-dave' });
    expect(plain.body).toMatchObject({ orgId: null, role: 'member' });
  });

  it.each([
    ['no subject', {}, 'subject'],
    ['a blank subject', { subject: '   ' }, 'subject'],
    ['a subject over 255 characters', { subject: 'x'.repeat(256) }, 'subject'],
    ['an unknown role', { subject: 'dev-erin', role: 'owner' }, 'role'],
    ['an empty org', { subject: 'dev-erin', orgId: '' }, 'orgId'],
  ])('refuses %s with a 400 naming the field', async (_case, body, field) => {
    const answer = await stack.api.post(ROUTE, undefined, body);
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('refuses a request relayed by a proxy: only a browser on the gateway machine may mint', async () => {
    for (const headers of [{ 'x-forwarded-for': '127.0.0.1' }, { forwarded: 'for=127.0.0.1' }] as Record<string, string>[]) {
      const answer = await stack.api.request('POST', ROUTE, { body: { subject: 'dev-frank' }, headers });
      expect(answer.status).toBe(403);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'request' })]);
    }
  });

  it('does not exist in production: 404 and absent from the OpenAPI document, while the page is still served', async () => {
    const answer = await fetch(`${production.url}${ROUTE}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'dev-mallory' }) });
    expect(answer.status).toBe(404);
    const documented = async (url: string) => Object.keys(((await (await fetch(`${url}/docs-json`)).json()) as { paths: object }).paths);
    expect(await documented(production.url)).not.toContain(ROUTE);
    expect(await documented(stack.api.baseUrl)).toContain(ROUTE);
    expect((await fetch(`${production.url}/app/`)).status).toBe(200);
  });
});
