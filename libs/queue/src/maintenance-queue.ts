import type { JobsOptions } from 'bullmq';

/**
 * Housekeeping that must run once per period across every scheduler replica: each replica upserts the same
 * BullMQ job scheduler (one schedule in Redis, whoever wrote it last) and one worker takes each job. Names are
 * stored in Redis: never change them.
 */
export const MAINTENANCE_QUEUE = 'maintenance';

export enum MaintenanceJob {
  PurgeHistory = 'purge-history',
}

/** The id of the job scheduler that produces one PurgeHistory job per period. */
export const HISTORY_PURGE_SCHEDULER = 'history-purge';

/** A purge that fails is simply tried again next period; keep a short trail for Bull Board. */
export const maintenanceJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};
