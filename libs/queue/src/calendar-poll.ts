import type { JobsOptions } from 'bullmq';

/**
 * One queue for reading calendars (the poller's). Names are stored in Redis with every job: never change them.
 * Job ids are `<calendarId>.<due time in ms>`: enqueueing the same read twice (a restart reconciling, two
 * replicas) is a no-op, and a calendar has at most one pending read per due time.
 */
export const CALENDAR_POLL_QUEUE = 'calendar-poll';
export const READ_CALENDAR_JOB = 'read-calendar';

export interface ReadCalendarJob {
  calendarId: string;
  userId: string;
  /** Read the whole feed (no ETag): just connected, or the rules changed. */
  force?: boolean;
}

export const calendarJobId = (calendarId: string, dueAtMs: number) => `${calendarId}.${dueAtMs}`;

/** A read that fails is recorded on the calendar and rescheduled by the poller itself (back-off), not retried by BullMQ. */
export const CALENDAR_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: true,
  removeOnFail: { count: 100 },
};
