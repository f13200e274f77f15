import { FireSpanEdgeJob } from '@statusync/queue';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Jobs come from Redis, which anyone with access can write to: check the payload before acting on it. */
export function parseFireSpanEdgeJob(data: unknown): FireSpanEdgeJob {
  const job = data as Partial<FireSpanEdgeJob> | null;
  if (!job || typeof job !== 'object') throw new Error('job payload is not an object');
  if (typeof job.spanId !== 'string' || !UUID.test(job.spanId)) throw new Error('job payload has no valid spanId');
  if (typeof job.userId !== 'string' || !UUID.test(job.userId)) throw new Error('job payload has no valid userId');
  if (job.edge !== 'start' && job.edge !== 'end') throw new Error('job payload has no valid edge');
  if (typeof job.at !== 'number' || !Number.isFinite(job.at)) throw new Error('job payload has no valid time');
  return { spanId: job.spanId, userId: job.userId, edge: job.edge, at: job.at };
}
