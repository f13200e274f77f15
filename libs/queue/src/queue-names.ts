import { PLATFORMS, PlatformId } from '@statusync/platforms';

/**
 * Queue and job names. Their values are stored in Redis with every job: never change them, or jobs already
 * in flight are orphaned. One queue per platform (docs/decisions.md): a platform that is down or rate-limits
 * us backs up only its own queue, and each platform's workers can be scaled and tuned on their own.
 */
export const statusSyncQueueName = (platform: PlatformId) => `status-sync-${platform}`;
export const STATUS_SYNC_QUEUES = PLATFORMS.map(statusSyncQueueName);

export enum JobName {
  SyncStatus = 'sync-status',
}

/** Deterministic job id: enqueueing the same delivery twice is a no-op. (BullMQ forbids ':' in ids.) */
export const syncJobId = (updateId: string, platform: PlatformId) => `${updateId}.${platform}`;

/** The name of the custom backoff type the sync workers implement (see platform-backoff.ts). */
export const PLATFORM_BACKOFF = 'platform';
