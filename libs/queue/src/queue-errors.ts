import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';

/** While a queue's connection keeps failing, one log line per this long (ioredis reports each reconnect attempt). */
export const QUEUE_ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * Sends a queue's or worker's Redis connection errors to the service's log, at most one line per interval: while
 * Redis is down ioredis reports every reconnect attempt, on each of their connections. A BullMQ queue with no `error`
 * listener prints every error's stack to stderr (console.error), outside the structured log.
 */
export function logQueueErrors(source: Queue | Worker, logger: Pick<Logger, 'warn'>, now: () => number = Date.now): void {
  let loggedAt = -Infinity;
  const what = source instanceof Worker ? 'worker' : 'queue';
  (source as Queue).on('error', (error: Error) => {
    if (now() - loggedAt < QUEUE_ERROR_LOG_INTERVAL_MS) return;
    loggedAt = now();
    logger.warn({ err: error, queue: source.name }, `${what} connection error; retrying`);
  });
}

/** Watches every queue QueueModule registers (`names`), in whichever service imports it. */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly names: readonly string[],
  ) {}

  onModuleInit(): void {
    for (const name of this.names) logQueueErrors(this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }), this.logger);
  }
}
