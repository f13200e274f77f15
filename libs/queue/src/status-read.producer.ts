import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { READ_JOB_OPTIONS, READ_STATUS_JOB, ReadStatusJob, readStatusJobId, statusReadQueueName } from './read-status';

/** Enqueues read-backs; idempotent per user, platform and window (deterministic job ids). */
@Injectable()
export class StatusReadProducer {
  private readonly logger = new Logger(StatusReadProducer.name);

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Best effort: a read-back that is not enqueued now is asked for by the next view. */
  async enqueue(jobs: ReadStatusJob[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await Promise.all(
        jobs.map((job) => this.queueFor(job).add(READ_STATUS_JOB, job, { ...READ_JOB_OPTIONS, jobId: readStatusJobId(job) })),
      );
    } catch (error) {
      this.logger.warn({ err: error, count: jobs.length }, 'read-back jobs not enqueued');
    }
  }

  private queueFor(job: ReadStatusJob): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(statusReadQueueName(job.platform)), { strict: false });
  }
}
