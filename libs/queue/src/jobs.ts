import { PlatformId } from '@statusync/platforms';
import type { Job } from 'bullmq';
import { JobName } from './queue-names';
import { READ_STATUS_JOB, ReadStatusJob } from './read-status';
import { SLACK_DND_JOB, SlackDndJob } from './slack-dnd';

/** Push update `updateId` to one platform. The worker reads the status itself from Postgres. */
export interface SyncStatusJob {
  updateId: string;
  platform: PlatformId;
  userId: string;
  /** The API request that caused it, for logs and sync_logs. */
  requestId: string | null;
}

/** Each job name the workers run has exactly one payload type, shared by producers and processors. */
export interface JobPayloads {
  [JobName.SyncStatus]: SyncStatusJob;
  [READ_STATUS_JOB]: ReadStatusJob;
  [SLACK_DND_JOB]: SlackDndJob;
}

export type WorkerJobName = keyof JobPayloads;
/** One job as a producer adds it: the union keyed by name (so a payload cannot go out under another job's name). */
export type JobItem = { [N in WorkerJobName]: { name: N; data: JobPayloads[N] } }[WorkerJobName];
export type JobOf<N extends WorkerJobName> = JobPayloads[N];

/** Every job name the sync-worker process runs. */
export const WORKER_JOB_NAMES: readonly WorkerJobName[] = [JobName.SyncStatus, READ_STATUS_JOB, SLACK_DND_JOB];

/** Runs jobs of one name. `token` is BullMQ's lock token (needed to delay the job from inside). */
export interface JobHandler<N extends WorkerJobName = WorkerJobName> {
  name: N;
  handle(job: Job<JobOf<N>>, token?: string): Promise<unknown>;
}

/**
 * The handler of each job name, checked: a name with no handler or with two, or a handler for a name no producer
 * uses, is a wiring mistake that would strand or mis-run jobs, so it stops the process at start-up.
 */
export function jobHandlerTable(handlers: JobHandler[], names: readonly string[] = WORKER_JOB_NAMES): Map<string, JobHandler> {
  const problems: string[] = [];
  for (const name of names) {
    const count = handlers.filter((handler) => handler.name === name).length;
    if (count !== 1) problems.push(`job "${name}" has ${count} handlers (exactly one needed)`);
  }
  for (const handler of handlers) if (!names.includes(handler.name)) problems.push(`handler for unknown job "${handler.name}"`);
  if (problems.length > 0) throw new Error(`Job handlers do not match the job names: ${problems.join('; ')}`);
  return new Map(handlers.map((handler) => [handler.name, handler]));
}
