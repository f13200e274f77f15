import { once } from 'node:events';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { freePort } from '../../../../test/support/free-port';
import { createPlatformFetch } from './platform-fetch';

/** The fetch the platform clients get: fetch's contract where they rely on it, over keep-alive node:http. */
describe('createPlatformFetch', () => {
  const platformFetch = createPlatformFetch();
  let server: http.Server;
  let base: string;
  const sockets = new Set<unknown>();
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      sockets.add(req.socket);
      let body = '';
      for await (const chunk of req) body += chunk;
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === '/never') return; // never answers
      if (req.url === '/stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ok":'); // the rest never comes
        return;
      }
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/json' });
        return res.end();
      }
      res.writeHead(req.url === '/error' ? 500 : 200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'abc' });
      res.end(JSON.stringify({ ok: true, echo: body, ünïcode: '✓' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (seen.length = 0));

  it('sends method, headers and body (with its length), and answers status, headers and JSON', async () => {
    const body = 'profile=%7B%22status_text%22%3A%22%C3%A9%22%7D';
    const response = await platformFetch(`${base}/json`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(Object.fromEntries(response.headers)).toMatchObject({ 'x-request-id': 'abc' });
    expect(await response.json()).toEqual({ ok: true, echo: body, ünïcode: '✓' });
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/json', body, headers: expect.objectContaining({ authorization: 'Bearer t', 'content-length': String(Buffer.byteLength(body)) }) });
  });

  it('keeps the connection alive: sequential calls share one socket', async () => {
    sockets.clear();
    for (let i = 0; i < 5; i++) await (await platformFetch(`${base}/json`, { method: 'POST', body: String(i) })).text();
    expect(sockets.size).toBe(1);
  });

  it('an error status is an answer, not a rejection; a redirect is not followed', async () => {
    const failed = await platformFetch(`${base}/error`);
    expect([failed.status, failed.ok]).toEqual([500, false]);
    const moved = await platformFetch(`${base}/moved`, { redirect: 'error' });
    expect(moved.status).toBe(302);
    expect(seen.map((request) => request.url)).toEqual(['/error', '/moved']);
  });

  it('a timeout rejects with the signal reason (TimeoutError), before the answer and while the body arrives', async () => {
    const before = await platformFetch(`${base}/never`, { signal: AbortSignal.timeout(100) }).catch((error: unknown) => error);
    expect(before).toMatchObject({ name: 'TimeoutError' });
    const during = await platformFetch(`${base}/stall`, { signal: AbortSignal.timeout(100) }).catch((error: unknown) => error);
    expect(during).toMatchObject({ name: 'TimeoutError' });
    const already = await platformFetch(`${base}/json`, { signal: AbortSignal.abort(new Error('gone')) }).catch((error: unknown) => error);
    expect(already).toMatchObject({ message: 'gone' });
  });

  it('connection refused rejects like fetch: TypeError "fetch failed" with the socket error as cause', async () => {
    const error = await platformFetch(`http://127.0.0.1:${await freePort()}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
  });
});
