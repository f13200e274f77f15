import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus series the services export, in one place so dashboards, alerts and their test can name them.
 * One registry per process (each app is its own process); names are part of the product: dashboards and alert
 * rules in deploy/ read them, so never rename one without updating those (test/deploy/alerts.spec.ts checks).
 */
export const metricsRegistry = new Registry();

/** Latency buckets in seconds: from a fast API answer to a platform call stuck on its 10 s timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Request → applied spans queueing, retries with backoff and platform calls: seconds to many minutes. */
const APPLY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

export const httpRequestDuration = new Histogram({
  name: 'statusync_http_request_duration_seconds',
  help: 'HTTP request latency by templated route, method and status class',
  labelNames: ['route', 'method', 'status_class'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const syncJobsCompleted = new Counter({
  name: 'statusync_sync_jobs_completed_total',
  help: 'Status sync jobs that finished, by platform and outcome (succeeded, superseded, skipped)',
  labelNames: ['platform', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const syncJobsFailed = new Counter({
  name: 'statusync_sync_jobs_failed_total',
  help: 'Status sync jobs that failed for good, by platform and error code',
  labelNames: ['platform', 'error_code'] as const,
  registers: [metricsRegistry],
});

export const syncJobsRetried = new Counter({
  name: 'statusync_sync_jobs_retried_total',
  help: 'Status sync attempts that failed and will be retried, by platform and error code',
  labelNames: ['platform', 'error_code'] as const,
  registers: [metricsRegistry],
});

export const requestToAppliedSeconds = new Histogram({
  name: 'statusync_request_to_applied_seconds',
  help: 'From the accepted status request to the platform showing it (delivery created → completed), by platform',
  labelNames: ['platform'] as const,
  buckets: APPLY_BUCKETS,
  registers: [metricsRegistry],
});

export const calendarPolls = new Counter({
  name: 'statusync_calendar_polls_total',
  help: 'Calendar polls made by the calendar poller, by source kind',
  labelNames: ['source'] as const,
  registers: [metricsRegistry],
});

export const calendarPollErrors = new Counter({
  name: 'statusync_calendar_poll_errors_total',
  help: 'Calendar polls that failed, by source kind and error code',
  labelNames: ['source', 'error_code'] as const,
  registers: [metricsRegistry],
});

export const webhookDeliveries = new Counter({
  name: 'statusync_webhook_deliveries_total',
  help: 'Outgoing webhook delivery attempts, by event and result (2xx, 4xx, 5xx, timeout, refused)',
  labelNames: ['event', 'result'] as const,
  registers: [metricsRegistry],
});

export const webhookDeliveryDuration = new Histogram({
  name: 'statusync_webhook_delivery_duration_seconds',
  help: 'Outgoing webhook attempts from request to answer (or timeout), by result',
  labelNames: ['result'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
  registers: [metricsRegistry],
});

let started = false;

/** Process metrics (CPU, memory, event loop lag, GC) labelled with the service name; once per process. */
export function startProcessMetrics(service: string): void {
  if (started) return;
  started = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}
