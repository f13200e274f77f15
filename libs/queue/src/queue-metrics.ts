import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { metricsRegistry } from '@statusync/core';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { STATUS_SYNC_QUEUES } from './queue-names';
import { STATUS_READ_QUEUES } from './read-status';
import { WEBHOOK_DELIVERY_QUEUE } from './webhooks/webhook-events';

/** Scrapes (and several Prometheus replicas) within this window share one round of Redis reads. */
const CACHE_MS = 5_000;
/** The series this collector exports, with their labels (dashboards and alert rules are checked against them). */
export const QUEUE_METRICS = { statusync_queue_jobs: ['queue', 'state'], statusync_queue_oldest_waiting_seconds: ['queue'] } as const;
const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

interface QueueSnapshot {
  counts: Record<string, number>;
  /** Age of the oldest job that waits for a worker (waiting or prioritized), 0 when none does. */
  oldestWaitingSeconds: number;
}

/**
 * Queue depth and the oldest waiting job's age per queue, read from Redis on scrape (BullMQ getJobCounts), not
 * kept in memory: any replica reports the truth. Provided by one app only (the gateway), so the series are not
 * duplicated by every service that holds a queue; Prometheus's `max by (queue)` copes with several gateways.
 */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  private cached?: { at: number; snapshot: Promise<Map<string, QueueSnapshot>> };

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    const queues = [...STATUS_SYNC_QUEUES, ...STATUS_READ_QUEUES, WEBHOOK_DELIVERY_QUEUE].map((name) =>
      this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    );
    const read = () => this.read(queues);
    new Gauge({
      name: 'statusync_queue_jobs' satisfies keyof typeof QUEUE_METRICS,
      help: 'Jobs in each queue by state (read from Redis on scrape, cached for 5 s)',
      labelNames: ['queue', 'state'] as const,
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        for (const [queue, { counts }] of await read()) {
          for (const state of STATES) this.set({ queue, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'statusync_queue_oldest_waiting_seconds' satisfies keyof typeof QUEUE_METRICS,
      help: 'Age of the oldest job waiting for a worker in each queue (since it was first enqueued)',
      labelNames: ['queue'] as const,
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        for (const [queue, { oldestWaitingSeconds }] of await read()) this.set({ queue }, oldestWaitingSeconds);
      },
    });
  }

  private read(queues: Queue[]): Promise<Map<string, QueueSnapshot>> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      const snapshot = Promise.all(queues.map(async (queue) => [queue.name, await snapshotOf(queue, now)] as const)).then((rows) => new Map(rows));
      // A failed read (Redis down) is not cached: the next scrape tries again, this one reports the error.
      snapshot.catch(() => (this.cached = undefined));
      this.cached = { at: now, snapshot };
    }
    return this.cached.snapshot;
  }
}

async function snapshotOf(queue: Queue, now: number): Promise<QueueSnapshot> {
  const [counts, oldest] = await Promise.all([queue.getJobCounts(...STATES), queue.getJobs(['waiting', 'prioritized'], 0, 0, true)]);
  const timestamps = oldest.filter((job) => job).map((job) => job.timestamp);
  const first = timestamps.length > 0 ? Math.min(...timestamps) : now;
  return { counts, oldestWaitingSeconds: Math.max(0, (now - first) / 1000) };
}
