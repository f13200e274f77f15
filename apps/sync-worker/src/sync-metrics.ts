import { requestToAppliedSeconds, syncJobsCompleted, syncJobsFailed, syncJobsRetried } from '@statusync/core';
import type { AttemptResult } from './status-sync.processor';

/**
 * Counts one attempt's result for /metrics. `requestedAt` is when the update (and with it the delivery row) was
 * created, so request→applied latency covers queueing, retries and the platform call, as the delivery's
 * created_at → completed_at does.
 */
export function countSyncResult(platform: string, result: AttemptResult, requestedAt?: Date): void {
  switch (result.kind) {
    case 'done':
      syncJobsCompleted.inc({ platform, outcome: result.outcome });
      if (result.outcome === 'succeeded' && requestedAt) requestToAppliedSeconds.observe({ platform }, (Date.now() - requestedAt.getTime()) / 1000);
      return;
    case 'retry':
      syncJobsRetried.inc({ platform, error_code: result.error.code });
      return;
    case 'failed':
      syncJobsFailed.inc({ platform, error_code: result.code });
  }
}

/** An error the processor did not classify (Postgres down, a bug): BullMQ retries it. */
export function countSyncCrash(platform: string): void {
  syncJobsRetried.inc({ platform, error_code: 'internal' });
}
