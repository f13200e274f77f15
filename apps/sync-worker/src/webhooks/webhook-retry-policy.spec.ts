import { decideWebhookAttempt, parseRetryAfter, WebhookAnswer, webhookResultLabel } from './webhook-retry-policy';

const SPEC_SCHEDULE = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000];
const http = (status: number, retryAfterMs: number | null = null): WebhookAnswer => ({ kind: 'http', status, retryAfterMs });
const noJitter = () => 0;

describe('webhook retry policy (Standard Webhooks)', () => {
  it('counts only 2xx as success', () => {
    for (const status of [200, 201, 204, 299]) expect(decideWebhookAttempt(http(status), 1, SPEC_SCHEDULE)).toEqual({ kind: 'succeeded' });
    for (const status of [301, 302, 304, 307, 400, 401, 404, 409, 429, 500, 502, 503]) expect(decideWebhookAttempt(http(status), 1, SPEC_SCHEDULE).kind).toBe('retry');
  });

  it('disables on 410 whatever the attempt', () => {
    expect(decideWebhookAttempt(http(410), 1, SPEC_SCHEDULE)).toEqual({ kind: 'gone' });
    expect(decideWebhookAttempt(http(410), 10, SPEC_SCHEDULE)).toEqual({ kind: 'gone' });
  });

  it('waits the schedule step before each next attempt, and fails after the last', () => {
    const delays = SPEC_SCHEDULE.slice(1).map((_, index) => decideWebhookAttempt(http(500), index + 1, SPEC_SCHEDULE, noJitter));
    expect(delays).toEqual(SPEC_SCHEDULE.slice(1).map((delayMs) => ({ kind: 'retry', delayMs })));
    expect(decideWebhookAttempt(http(500), 10, SPEC_SCHEDULE)).toEqual({ kind: 'failed' });
    expect(decideWebhookAttempt({ kind: 'network', reason: 'timeout: no answer within 15000 ms' }, 10, SPEC_SCHEDULE)).toEqual({ kind: 'failed' });
    // The whole schedule spans about 75.5 hours (the spec's figure).
    const hours = SPEC_SCHEDULE.reduce((sum, delay) => sum + delay, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(75.5);
    expect(hours).toBeLessThan(75.6);
  });

  it('adds up to 10 % jitter, never less than the step', () => {
    expect(decideWebhookAttempt(http(500), 1, SPEC_SCHEDULE, () => 0.999)).toEqual({ kind: 'retry', delayMs: 5_500 });
    for (let i = 0; i < 100; i++) {
      const decision = decideWebhookAttempt(http(500), 2, SPEC_SCHEDULE) as { delayMs: number };
      expect(decision.delayMs).toBeGreaterThanOrEqual(300_000);
      expect(decision.delayMs).toBeLessThanOrEqual(330_000);
    }
  });

  it('honours Retry-After on 429/502/503/504 when longer than the step, capped at a day; ignores it elsewhere', () => {
    for (const status of [429, 502, 503, 504]) expect(decideWebhookAttempt(http(status, 60_000), 1, SPEC_SCHEDULE, noJitter)).toEqual({ kind: 'retry', delayMs: 60_000 });
    expect(decideWebhookAttempt(http(429, 1_000), 2, SPEC_SCHEDULE, noJitter)).toEqual({ kind: 'retry', delayMs: 300_000 });
    expect(decideWebhookAttempt(http(500, 60_000), 1, SPEC_SCHEDULE, noJitter)).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(decideWebhookAttempt(http(503, 10 * 86_400_000), 1, SPEC_SCHEDULE, noJitter)).toEqual({ kind: 'retry', delayMs: 86_400_000 });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['30'], now)).toBe(30_000);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('labels results for the metrics', () => {
    expect([http(204), http(302), http(410), http(503)].map(webhookResultLabel)).toEqual(['2xx', '3xx', '4xx', '5xx']);
    expect(webhookResultLabel({ kind: 'network', reason: 'timeout: no answer within 15000 ms' })).toBe('timeout');
    expect(webhookResultLabel({ kind: 'network', reason: 'refused: the URL resolves to a private address' })).toBe('refused');
    expect(webhookResultLabel({ kind: 'network', reason: 'error: connection refused' })).toBe('error');
  });
});
