import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { PLATFORMS, PlatformId } from '@statusync/platforms';
import { Job, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
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

  /**
   * Adds every job in ONE Redis round trip: one pipeline on one connection, across the platforms' queues (their
   * keys share the prefix, so under Redis Cluster a `{…}` prefix keeps them in one slot). `alongside` may add more
   * commands to the same pipeline, sent before the jobs (the gateway's live "accepted" event).
   */
  async enqueue(jobs: SyncStatusJob[], alongside?: (batch: ChainableCommander) => void): Promise<void> {
    if (jobs.length === 0) return;
    const options = syncJobOptions(this.config.sync);
    const client = await this.queueFor(jobs[0].platform).getBackend().client;
    const batch = client.pipeline() as unknown as ChainableCommander;
    alongside?.(batch);
    for (const job of jobs) {
      const jobId = syncJobId(job.updateId, job.platform);
      // Queued on the pipeline synchronously; the returned promise only settles with exec(), so it is not awaited.
      void new Job(this.queueFor(job.platform), JobName.SyncStatus, job, { ...options, jobId }, jobId).addJob(batch as never).catch(() => undefined);
    }
    const results = (await batch.exec()) ?? [];
    const failed = results.find(([error]: [Error | null, unknown]) => error);
    if (failed) throw failed[0];
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
