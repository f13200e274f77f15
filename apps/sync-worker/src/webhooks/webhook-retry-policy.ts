/** How one attempt ended, as the policy sees it: an HTTP answer, or none (timeout, refused address, connection). */
export type WebhookAnswer = { kind: 'http'; status: number; retryAfterMs: number | null } | { kind: 'network'; reason: string };

export type WebhookDecision =
  | { kind: 'succeeded' }
  /** The endpoint said it is gone for good (410): disable it. */
  | { kind: 'gone' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'failed' };

/** Statuses that ask the sender to slow down: their `Retry-After` stretches the next delay. */
const THROTTLING = new Set([429, 502, 503, 504]);
/** A Retry-After longer than this is read as this (a day): the schedule's own longest step. */
const MAX_RETRY_AFTER_MS = 86_400_000;
/** Up to this fraction is added to every delay, so endpoints that failed together are not retried together. */
const JITTER = 0.1;

/**
 * The retry policy of the Standard Webhooks spec: only 2xx succeeds (3xx too is a failure: redirects are not
 * followed), 410 disables, everything else is retried on the schedule (`scheduleMs[n]` before attempt n + 1),
 * never sooner than a throttling answer's Retry-After, with jitter; after the last attempt the delivery fails.
 */
export function decideWebhookAttempt(answer: WebhookAnswer, attempt: number, scheduleMs: readonly number[], random: () => number = Math.random): WebhookDecision {
  if (answer.kind === 'http' && answer.status >= 200 && answer.status < 300) return { kind: 'succeeded' };
  if (answer.kind === 'http' && answer.status === 410) return { kind: 'gone' };
  if (attempt >= scheduleMs.length) return { kind: 'failed' };
  const scheduled = scheduleMs[attempt];
  const asked = answer.kind === 'http' && THROTTLING.has(answer.status) && answer.retryAfterMs !== null ? Math.min(answer.retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
  const base = Math.max(scheduled, asked);
  return { kind: 'retry', delayMs: Math.round(base + base * JITTER * random()) };
}

/** `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The metrics label of an attempt's result. */
export function webhookResultLabel(answer: WebhookAnswer): string {
  if (answer.kind === 'network') return answer.reason.startsWith('refused') ? 'refused' : answer.reason.startsWith('timeout') ? 'timeout' : 'error';
  return `${Math.floor(answer.status / 100)}xx`;
}
