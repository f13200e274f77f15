import type { JobsOptions } from 'bullmq';

/**
 * Outgoing webhooks: the event types an endpoint can subscribe to, the delivery queue and its one job. Queue, job
 * and event names are stored (in Redis, and in endpoints' subscriptions): never change them.
 */
export const WEBHOOK_EVENTS = [
  'status.changed',
  'sync.succeeded',
  'sync.failed',
  'calendar.meeting_started',
  'calendar.meeting_ended',
  'team.availability_changed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Sent by `POST /webhooks/:id/test` only; not subscribable. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';
export const DELIVER_WEBHOOK_JOB = 'deliver-webhook';

/** Send delivery `deliveryId` to its endpoint, in the endpoint's scope (its owner; an org admin's for org endpoints). */
export interface DeliverWebhookJob {
  deliveryId: string;
  webhookId: string;
  ownerId: string;
  orgId: string | null;
}

/** One job per delivery and replay: enqueueing it again (the overdue sweep, a retried emit) is a no-op. */
export const webhookJobId = (deliveryId: string, replays: number) => `wh.${deliveryId}.${replays}`;

/** The custom backoff type: the processor decides each delay (schedule, jitter, Retry-After) and stores it. */
export const WEBHOOK_BACKOFF = 'webhook';

export function webhookJobOptions(retryScheduleMs: readonly number[]): JobsOptions {
  return {
    attempts: retryScheduleMs.length,
    delay: retryScheduleMs[0],
    backoff: { type: WEBHOOK_BACKOFF },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/** The Standard Webhooks limit for a payload, in bytes; the table refuses anything this big. */
export const WEBHOOK_MAX_PAYLOAD_BYTES = 20 * 1024;

/**
 * The body every endpoint receives: `{type, timestamp, data}` (Standard Webhooks). Built once when the event is
 * recorded and stored as text, so every retry and replay sends (and signs) the same bytes. A body over the limit
 * keeps its type and says it was cut, rather than failing the work that caused it.
 */
export function webhookPayload(type: string, data: Record<string, unknown>, at: Date = new Date()): string {
  const body = JSON.stringify({ type, timestamp: at.toISOString(), data });
  if (Buffer.byteLength(body) < WEBHOOK_MAX_PAYLOAD_BYTES) return body;
  return JSON.stringify({ type, timestamp: at.toISOString(), data: { truncated: true } });
}

/** An event as the emitters record it: `key` makes recording idempotent per endpoint (a retried job records nothing new). */
export interface WebhookEvent {
  type: WebhookEventType;
  key: string;
  payload: string;
}

export const webhookEvent = (type: WebhookEventType, key: string, data: Record<string, unknown>, at?: Date): WebhookEvent => ({
  type,
  key,
  payload: webhookPayload(type, data, at),
});
