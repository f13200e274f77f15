import { PLATFORMS, PlatformId } from '@statusync/platforms';
import type { JobsOptions } from 'bullmq';

/**
 * Read-backs: what a platform really shows, fetched for team members whose last reading is stale. A queue per
 * platform apart from the writes, so a backlog of reads never delays a status change, and a rate limiter per
 * queue (shared by every worker replica through Redis) spreads the reads. Names are stored in Redis: never
 * change them.
 */
export const statusReadQueueName = (platform: PlatformId) => `status-read-${platform}`;
export const STATUS_READ_QUEUES = PLATFORMS.map(statusReadQueueName);
export const READ_STATUS_JOB = 'read-status';

export interface ReadStatusJob {
  userId: string;
  platform: PlatformId;
  /** The stale reading's time (ms epoch; 0 = never read): part of the job id. */
  staleSince: number;
}

/** A reading older than this is stale: a team view then asks for a new one. */
export const READING_STALE_MS = 10 * 60_000;

/**
 * Reads per platform and window, for every worker together. Slack's `users.profile.get` is limited per
 * workspace (Tier 4, ~100/min): one a second stays well inside it and never bursts. GitHub allows 5,000
 * points an hour per token; five a second is polite.
 */
export const READ_LIMITS: Record<PlatformId, { max: number; duration: number }> = {
  slack: { max: 1, duration: 1_000 },
  github: { max: 5, duration: 1_000 },
};

/**
 * One job per user, platform, stale reading and 10-minute window: asking again is a no-op, whatever the number
 * of viewers or gateway replicas, until the reading is replaced (a write's receipt or this read) or the window
 * passes (a read that failed is asked for again). Low priority, few attempts: a read is only a hint.
 */
export const readStatusJobId = (job: ReadStatusJob, now = Date.now()) =>
  `read.${job.userId}.${job.platform}.${job.staleSince}.${Math.floor(now / READING_STALE_MS)}`;

export const READ_JOB_OPTIONS: JobsOptions = {
  priority: 100,
  attempts: 2,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: READING_STALE_MS / 1000, count: 10_000 },
  removeOnFail: { age: 24 * 3600, count: 10_000 },
};
