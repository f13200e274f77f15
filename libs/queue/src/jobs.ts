import { PlatformId } from '@statusync/platforms';
import { JobName } from './queue-names';

/** Push update `updateId` to one platform. The worker reads the status itself from Postgres. */
export interface SyncStatusJob {
  updateId: string;
  platform: PlatformId;
  userId: string;
  /** The API request that caused it, for logs and sync_logs. */
  requestId: string | null;
}

/** Each job name has exactly one payload type, shared by producers and processors. */
export interface JobPayloads {
  [JobName.SyncStatus]: SyncStatusJob;
}
