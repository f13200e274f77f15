import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { PLATFORMS, PlatformId } from '@statusync/platforms';
import type { Queue } from 'bullmq';
import { SyncStatusJob } from './jobs';
import { syncJobOptions } from './job-options';
import { JobName, statusSyncQueueName, syncJobId } from './queue-names';

/** Enqueues one job per platform for a status update. Idempotent: the job id is derived from the delivery. */
@Injectable()
export class StatusSyncProducer implements OnModuleInit {
  private resolved?: Map<PlatformId, Queue>;
  /** The queues' Redis clients, once they first connected: read synchronously by isConnected(). */
  private clients?: { status: string }[];

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    void Promise.all(this.allQueues().map((queue) => queue.getBackend().client)).then((clients) => (this.clients = clients));
  }

  async enqueue(jobs: SyncStatusJob[]): Promise<void> {
    const options = syncJobOptions(this.config.sync);
    await Promise.all(
      jobs.map((job) =>
        this.queueFor(job.platform).add(JobName.SyncStatus, job, { ...options, jobId: syncJobId(job.updateId, job.platform) }),
      ),
    );
  }

  /** Whether every queue's Redis connection is up right now; a connection never made yet counts as down. */
  isConnected(): boolean {
    return this.clients !== undefined && this.clients.every((client) => client.status === 'ready');
  }

  /**
   * One queue per platform (so adding a platform needs no change here), resolved on first use: every provider
   * exists by then, and callers that run before the module's init hooks (Bull Board is mounted before listen())
   * still get every queue.
   */
  private get queues(): Map<PlatformId, Queue> {
    this.resolved ??= new Map(
      PLATFORMS.map((platform) => [platform, this.moduleRef.get<Queue>(getQueueToken(statusSyncQueueName(platform)), { strict: false })]),
    );
    return this.resolved;
  }

  queueFor(platform: PlatformId): Queue {
    const queue = this.queues.get(platform);
    if (!queue) throw new Error(`No queue for platform ${platform}`);
    return queue;
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }
}
