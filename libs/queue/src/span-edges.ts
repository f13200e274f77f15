import type { JobsOptions } from 'bullmq';

/**
 * The span engine's queue: one delayed job per span edge (start or end), fired by a scheduler replica. Names are
 * stored in Redis: never change them.
 */
export const SPAN_EDGES_QUEUE = 'span-edges';

export enum SpanEdgeJobName {
  Fire = 'fire-span-edge',
}

export interface FireSpanEdgeJob {
  spanId: string;
  userId: string;
  edge: 'start' | 'end';
  /** The edge's time (epoch ms) when the job was made: a span moved since then has another job. */
  at: number;
}

/** Deterministic per span, edge and time: enqueueing it again (every replica, every reconcile) is a no-op. */
export const spanEdgeJobId = (job: Pick<FireSpanEdgeJob, 'spanId' | 'edge' | 'at'>) => `span.${job.spanId}.${job.edge}.${job.at}`;

export const spanEdgeJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};
