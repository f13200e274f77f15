import { resilientFetch, retryAfterMs } from './resilient-fetch';

/** A fetch that answers from a script and records what it was sent. */
function scripted(...answers: Response[]) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    return answers.shift() ?? new Response('{}', { status: 200 });
  };
  return { fetch: fetch as unknown as typeof globalThis.fetch, seen };
}

describe('resilientFetch', () => {
  it('retries a 429 after its Retry-After, with the same Idempotency-Key and body', async () => {
    const { fetch, seen } = scripted(new Response('', { status: 429, headers: { 'retry-after': '0' } }), new Response('{"ok":true}', { status: 202 }));
    const answer = await resilientFetch(fetch)(new Request('http://api/x', { method: 'POST', body: '{"message":"hi"}' }));
    expect(answer.status).toBe(202);
    expect(seen).toHaveLength(2);
    expect(seen[0].headers.get('idempotency-key')).toBe(seen[1].headers.get('idempotency-key'));
    expect(await seen[1].text()).toBe('{"message":"hi"}');
  });

  it('retries a 503 and gives up after the attempts allowed, answering the last one', async () => {
    const unavailable = () => new Response('', { status: 503, headers: { 'retry-after': '0' } });
    const { fetch, seen } = scripted(unavailable(), unavailable(), unavailable());
    expect((await resilientFetch(fetch, { attempts: 3 })(new Request('http://api/x'))).status).toBe(503);
    expect(seen).toHaveLength(3);
  });

  it('does not wait longer than maxDelayMs: a long Retry-After is answered at once', async () => {
    const { fetch, seen } = scripted(new Response('', { status: 429, headers: { 'retry-after': '3600' } }));
    expect((await resilientFetch(fetch, { maxDelayMs: 1_000 })(new Request('http://api/x'))).status).toBe(429);
    expect(seen).toHaveLength(1);
  });

  it('keeps a caller-given Idempotency-Key and adds none to reads', async () => {
    const { fetch, seen } = scripted();
    await resilientFetch(fetch)(new Request('http://api/x', { method: 'POST', headers: { 'idempotency-key': 'mine' }, body: '{}' }));
    await resilientFetch(fetch)(new Request('http://api/x'));
    expect(seen.map((r) => r.headers.get('idempotency-key'))).toEqual(['mine', null]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
