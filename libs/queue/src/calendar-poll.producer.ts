import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CALENDAR_JOB_OPTIONS, CALENDAR_POLL_QUEUE, calendarJobId, READ_CALENDAR_JOB, ReadCalendarJob } from './calendar-poll';

/** Asks the poller to read a calendar now (just connected, rules changed). */
@Injectable()
export class CalendarPollProducer {
  private readonly logger = new Logger(CalendarPollProducer.name);

  constructor(@InjectQueue(CALENDAR_POLL_QUEUE) private readonly queue: Queue) {}

  /** Best effort: `next_fetch_at` is already due in Postgres, so the poller's reconcile finds a read that was not enqueued. */
  async readNow(job: ReadCalendarJob): Promise<void> {
    try {
      await this.queue.add(READ_CALENDAR_JOB, { ...job, force: true }, { ...CALENDAR_JOB_OPTIONS, jobId: calendarJobId(job.calendarId, Date.now()) });
    } catch (error) {
      this.logger.warn({ err: error, calendarId: job.calendarId }, 'calendar read not enqueued');
    }
  }
}
