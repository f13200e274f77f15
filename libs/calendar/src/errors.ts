/**
 * A feed that cannot be used at all (the poller marks the calendar `broken` with `reason`).
 * One bad event never raises this: it is reported as an ignored event with reason `unparseable`.
 */
export type CalendarFeedProblem = 'not_icalendar' | 'too_large';

export class CalendarFeedError extends Error {
  constructor(
    readonly code: CalendarFeedProblem,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'CalendarFeedError';
  }
}

/** The caller passed a bad window or context (the gateway maps it to a 400 naming `field`). */
export class CalendarInputError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'CalendarInputError';
  }
}
