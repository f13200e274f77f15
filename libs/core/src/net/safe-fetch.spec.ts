import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchFailedError, ResponseTooLargeError, safeFetch, SafeFetchOptions } from './safe-fetch';
import { isBlockedAddress, parseFetchableUrl, UnsafeUrlError } from './ssrf-guard';

describe('isBlockedAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1'])(
    'refuses %s',
    (address) => expect(isBlockedAddress(address)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => expect(isBlockedAddress(address)).toBe(false));
});

describe('parseFetchableUrl', () => {
  it.each(['ftp://example.com/a.ics', 'file:///etc/passwd', 'not a url', 'http://user:pw@example.com/'])('refuses %s', (url) => {
    expect(() => parseFetchableUrl(url, false)).toThrow(UnsafeUrlError);
  });
  it.each(['http://127.0.0.1/a.ics', 'http://[::1]/a.ics', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data'])('refuses the literal address in %s', (url) => {
    expect(() => parseFetchableUrl(url, false)).toThrow(UnsafeUrlError);
    expect(parseFetchableUrl(url, true)).toBeInstanceOf(URL);
  });
});

describe('safeFetch', () => {
  let server: Server;
  let port: number;
  const big = 'x'.repeat(10_000);

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/feed.ics') return void response.end('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
      if (request.url === '/big') return void response.end(big);
      if (request.url === '/slow') return; // never answers
      if (request.url?.startsWith('/redirect?to=')) {
        response.writeHead(302, { location: decodeURIComponent(request.url.slice('/redirect?to='.length)) });
        return void response.end();
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  // "Public" here is 127.0.0.1 only (the test server); anything else on loopback plays a private address.
  const onlyTestServer = (address: string) => address !== '127.0.0.1';
  const names: Record<string, string> = { 'calendar.example.test': '127.0.0.1', 'sneaky.example.test': '127.0.0.2' };
  const fakeLookup = ((hostname: string, _options: unknown, callback: (...args: unknown[]) => void) => {
    const address = names[hostname];
    if (!address) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    callback(null, [{ address, family: 4 }]);
  }) as unknown as SafeFetchOptions['lookup'];
  const options: SafeFetchOptions = { allowPrivate: false, timeoutMs: 2_000, maxBytes: 1_000, lookup: fakeLookup, isBlocked: onlyTestServer };

  it('refuses a name that resolves to 127.0.0.1 with the default rules (checked at connect time)', async () => {
    await expect(safeFetch(`http://calendar.example.test:${port}/feed.ics`, { ...options, isBlocked: undefined })).rejects.toThrow(UnsafeUrlError);
    await expect(safeFetch(`http://localhost:${port}/feed.ics`, { allowPrivate: false, timeoutMs: 2_000, maxBytes: 1_000 })).rejects.toThrow(UnsafeUrlError);
  });

  it('fetches an allowed address, and anything with allowPrivate', async () => {
    const answer = await safeFetch(`http://calendar.example.test:${port}/feed.ics`, options);
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toContain('BEGIN:VCALENDAR');
    expect((await safeFetch(`http://localhost:${port}/feed.ics`, { allowPrivate: true, timeoutMs: 2_000, maxBytes: 1_000 })).status).toBe(200);
  });

  it('refuses a redirect to a private address, literal or by name', async () => {
    const literal = encodeURIComponent(`http://127.0.0.2:${port}/feed.ics`);
    await expect(safeFetch(`http://calendar.example.test:${port}/redirect?to=${literal}`, options)).rejects.toThrow(UnsafeUrlError);
    const named = encodeURIComponent(`http://sneaky.example.test:${port}/feed.ics`);
    await expect(safeFetch(`http://calendar.example.test:${port}/redirect?to=${named}`, options)).rejects.toThrow(UnsafeUrlError);
    const scheme = encodeURIComponent('file:///etc/passwd');
    await expect(safeFetch(`http://calendar.example.test:${port}/redirect?to=${scheme}`, options)).rejects.toThrow(UnsafeUrlError);
  });

  it('follows a redirect to an allowed address', async () => {
    const fine = encodeURIComponent(`http://calendar.example.test:${port}/feed.ics`);
    expect((await safeFetch(`http://calendar.example.test:${port}/redirect?to=${fine}`, options)).status).toBe(200);
  });

  it('caps the size and the time', async () => {
    await expect(safeFetch(`http://calendar.example.test:${port}/big`, options)).rejects.toThrow(ResponseTooLargeError);
    await expect(safeFetch(`http://calendar.example.test:${port}/slow`, { ...options, timeoutMs: 200 })).rejects.toThrow(FetchFailedError);
  });

  it('names no host in errors (the URL can be a secret)', async () => {
    const failure = await safeFetch('http://nowhere.example.test/secret-token.ics', options).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(FetchFailedError);
    expect((failure as Error).message).not.toMatch(/nowhere|secret/);
  });
});
