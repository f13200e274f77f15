import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { syncJobOptions } from './job-options';
import { SLACK_DND_JOB, SlackDndJob, slackDndJobId } from './slack-dnd';
import { StatusSyncProducer } from './status-sync.producer';

/** Enqueues Slack DND jobs on the Slack sync queue, with the sync jobs' retries and platform backoff. */
@Injectable()
export class SlackDndProducer {
  constructor(
    private readonly sync: StatusSyncProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async enqueue(jobs: SlackDndJob[]): Promise<void> {
    const queue = this.sync.queueFor('slack');
    const options = syncJobOptions(this.config.sync);
    await Promise.all(jobs.map((job) => queue.add(SLACK_DND_JOB, job, { ...options, jobId: slackDndJobId(job) })));
  }
}
