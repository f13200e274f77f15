/** Where a timed span comes from. */
export type SpanSource = 'schedule' | 'calendar';

/** The status a span shows while it runs. */
export interface SpanStatus {
  emoji: string | null;
  message: string | null;
  limitedAvailability: boolean;
}

/** One span as its source computes it; `occurrenceKey` is stable per occurrence (e.g. the start instant, ISO). */
export interface TimedSpan {
  occurrenceKey: string;
  startsAt: Date;
  /** null: set at the start and never restored (a one-off schedule without an end). */
  endsAt: Date | null;
  status: SpanStatus;
  /** null: every platform configured when it starts. */
  platforms: string[] | null;
  templateId?: string | null;
  templateName?: string | null;
  /** Snooze Slack notifications while it runs (focus time on a calendar with `focusDnd`). Default false. */
  slackDnd?: boolean;
}

/** A stored span. */
export interface SpanRow extends TimedSpan {
  id: string;
  userId: string;
  source: SpanSource;
  sourceId: string;
  cancelledAt: Date | null;
}

export interface ReplaceSpans {
  userId: string;
  source: SpanSource;
  sourceId: string;
  /** Every span of the source in the window (or, without a window, every future span). */
  spans: TimedSpan[];
  /** Only spans starting in [from, to) are replaced; others are left alone. Omit to replace all. */
  window?: { from: Date; to: Date };
}

export interface ReplaceResult {
  /** Spans inserted or whose times/status changed: the caller passes them to SpanEdgeScheduler.schedule. */
  changed: SpanRow[];
  /** Spans cancelled before they started. */
  cancelledIds: string[];
  /** Spans already running that were cut short (their end is now): their end edge fires at once. */
  endedNow: SpanRow[];
}

export type SpanEdge = 'start' | 'end';

export interface DueEdge {
  spanId: string;
  userId: string;
  edge: SpanEdge;
  dueAt: Date;
}
