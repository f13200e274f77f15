/** How a client retries answers that ask to be retried (429 and 503). */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3; 1 disables retries). */
  attempts?: number;
  /** Longest wait honoured from a Retry-After, in ms (default 60 000); a longer one is not waited for. */
  maxDelayMs?: number;
  /** Wait when no Retry-After came, in ms (default 1 000, doubled each time). */
  baseDelayMs?: number;
}

const RETRIED = new Set([429, 503]);
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** Retry-After in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A random key per logical write: a retry of the same write sends the same key, so the API applies it once. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * fetch with the client's manners: every write carries an Idempotency-Key (kept across retries), and 429/503
 * answers are retried after their Retry-After. The Request is cloned per attempt, so its body can be re-sent.
 */
export function resilientFetch(base: typeof fetch, options: RetryOptions = {}): (request: Request) => Promise<Response> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  return async (request: Request) => {
    if (WRITES.has(request.method) && !request.headers.has('idempotency-key')) request.headers.set('idempotency-key', newIdempotencyKey());
    for (let attempt = 1; ; attempt++) {
      const response = await base(attempt < attempts ? request.clone() : request);
      if (!RETRIED.has(response.status) || attempt >= attempts) return response;
      const delay = retryAfterMs(response.headers.get('retry-after')) ?? baseDelayMs * 2 ** (attempt - 1);
      if (delay > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(delay, request.signal);
    }
  };
}
