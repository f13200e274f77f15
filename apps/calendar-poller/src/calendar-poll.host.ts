import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, bullConnection } from '@statusync/core';
import { CalendarsRepository } from '@statusync/db';
import { CALENDAR_JOB_OPTIONS, CALENDAR_POLL_QUEUE, calendarJobId, logQueueErrors, READ_CALENDAR_JOB, ReadCalendarJob } from '@statusync/queue';
import { Job, Queue, Worker } from 'bullmq';
import { CalendarReader } from './calendar-reader';

const CONCURRENCY = 5;

/**
 * The poller's queue. Each read schedules the calendar's next read as a delayed job (deterministic id), so a
 * calendar has one chain of reads. Postgres (`next_fetch_at`) is the truth: at start-up and every poll interval
 * every calendar's next read is enqueued again (a no-op when already there), so a flushed Redis or a lost
 * job only delays a read, and two replicas never read one calendar at once (the reader locks the row).
 */
@Injectable()
export class CalendarPollHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CalendarPollHost.name);
  private queue?: Queue;
  private worker?: Worker;
  private reconciler?: NodeJS.Timeout;

  constructor(
    private readonly reader: CalendarReader,
    private readonly calendars: CalendarsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const connection = { connection: bullConnection(this.config.redis), prefix: this.config.redis.queuePrefix };
    this.queue = new Queue(CALENDAR_POLL_QUEUE, connection);
    logQueueErrors(this.queue, this.logger);
    this.worker = new Worker(CALENDAR_POLL_QUEUE, (job: Job<ReadCalendarJob>) => this.run(job), { ...connection, concurrency: CONCURRENCY });
    logQueueErrors(this.worker, this.logger);
    this.worker.on('failed', (job, error) => this.logger.error({ err: error, jobId: job?.id }, 'calendar read failed'));
    void this.reconcile();
    this.reconciler = setInterval(() => void this.reconcile(), this.config.calendars.pollIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.reconciler);
    await this.worker?.close();
    await this.queue?.close();
  }

  /** Enqueues every calendar's next read from Postgres; idempotent thanks to the job ids. */
  async reconcile(): Promise<void> {
    try {
      const targets = await this.calendars.pollTargets();
      for (const target of targets) {
        const due = target.nextFetchAt ? new Date(target.nextFetchAt) : new Date();
        await this.schedule({ calendarId: target.id, userId: target.userId }, due);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'calendar reconcile failed; trying again next interval');
    }
  }

  private async run(job: Job<ReadCalendarJob>): Promise<void> {
    if (job.name !== READ_CALENDAR_JOB) throw new Error(`unknown calendar job ${job.name}`);
    const { calendarId, userId, force } = job.data;
    if (typeof calendarId !== 'string' || typeof userId !== 'string') throw new Error('calendar job without calendarId/userId');
    const next = await this.reader.read({ calendarId, userId, force });
    if (next) await this.schedule({ calendarId, userId }, next);
  }

  private async schedule(job: ReadCalendarJob, due: Date): Promise<void> {
    const delay = Math.max(0, due.getTime() - Date.now());
    await this.queue!.add(READ_CALENDAR_JOB, job, { ...CALENDAR_JOB_OPTIONS, jobId: calendarJobId(job.calendarId, due.getTime()), delay });
  }
}
