import { SyncStatusJob } from '@statusync/queue';
import { isPlatformId } from '@statusync/platforms';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Jobs come from Redis, which anyone with access can write to: check the payload before acting on it. */
export function parseSyncStatusJob(data: unknown): SyncStatusJob {
  const job = data as Partial<SyncStatusJob> | null;
  if (!job || typeof job !== 'object') throw new Error('job payload is not an object');
  if (typeof job.updateId !== 'string' || !UUID.test(job.updateId)) throw new Error('job payload has no valid updateId');
  if (typeof job.userId !== 'string' || !UUID.test(job.userId)) throw new Error('job payload has no valid userId');
  if (!isPlatformId(job.platform)) throw new Error(`job payload names an unknown platform: ${String(job.platform)}`);
  const requestId = typeof job.requestId === 'string' ? job.requestId : null;
  return { updateId: job.updateId, userId: job.userId, platform: job.platform, requestId };
}
