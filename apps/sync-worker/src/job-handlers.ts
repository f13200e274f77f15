import { Injectable } from '@nestjs/common';
import { JobHandler, jobHandlerTable, JobName, READ_STATUS_JOB, ReadStatusJob, SLACK_DND_JOB, SlackDndJob, SyncStatusJob } from '@statusync/queue';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { SlackDndProcessor } from './slack-dnd.processor';
import { StatusReadProcessor } from './status-read.processor';
import { StatusSyncProcessor } from './status-sync.processor';

/**
 * The worker's job handlers by job name, built (and checked: one handler per name) when the module starts, so a
 * job name without exactly one handler keeps the process from booting.
 */
@Injectable()
export class JobHandlers {
  private readonly table: Map<string, JobHandler>;

  constructor(sync: StatusSyncProcessor, read: StatusReadProcessor, dnd: SlackDndProcessor) {
    const syncStatus: JobHandler<JobName.SyncStatus> = {
      name: JobName.SyncStatus,
      handle: async (job: Job<SyncStatusJob>, token?: string) => {
        const result = await sync.process(job);
        if (typeof result === 'string') return result;
        // Waiting for a lease or the write budget is not a failed attempt: delay the job without counting one.
        await job.moveToDelayed(Date.now() + result.delayMs, token);
        throw new DelayedError();
      },
    };
    const readStatus: JobHandler<typeof READ_STATUS_JOB> = { name: READ_STATUS_JOB, handle: (job: Job<ReadStatusJob>) => read.process(job) };
    const slackDnd: JobHandler<typeof SLACK_DND_JOB> = { name: SLACK_DND_JOB, handle: (job: Job<SlackDndJob>) => dnd.process(job) };
    this.table = jobHandlerTable([syncStatus, readStatus, slackDnd] as JobHandler[]);
  }

  /** Runs a job by its name; one with a name no handler knows fails for good (it came from outside our producers). */
  run(job: Job, token?: string): Promise<unknown> {
    const handler = this.table.get(job.name);
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    return handler.handle(job, token);
  }
}
