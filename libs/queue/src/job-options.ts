import type { JobsOptions } from 'bullmq';
import { PLATFORM_BACKOFF } from './queue-names';

export interface SyncRetrySettings {
  maxAttempts: number;
}

/** Defaults for sync jobs: retried with the platform-aware backoff; finished jobs kept a while for Bull Board. */
export function syncJobOptions(settings: SyncRetrySettings): JobsOptions {
  return {
    attempts: settings.maxAttempts,
    backoff: { type: PLATFORM_BACKOFF },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
  };
}
