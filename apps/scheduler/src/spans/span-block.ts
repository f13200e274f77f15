import type { SpanRow, SpanStatus } from '@statusync/db';

/**
 * Where the block of merged spans containing `span` ends: spans that touch or overlap chain together
 * (back-to-back meetings are one block). `spans` are the user's live spans in order of start.
 */
export function blockEnd(spans: SpanRow[], span: SpanRow): Date {
  let end = span.endsAt!.getTime();
  for (const other of spans) {
    if (!other.endsAt || other.startsAt.getTime() > end) continue;
    if (other.endsAt.getTime() > end && other.startsAt.getTime() <= end) end = other.endsAt.getTime();
  }
  return new Date(end);
}

/** Spans other than `span` still running at its end (start at or before it, end after it): the block goes on. */
export function coveringAtEnd(spans: SpanRow[], span: SpanRow): SpanRow[] {
  const end = span.endsAt!.getTime();
  return spans.filter((other) => other.id !== span.id && other.endsAt && other.startsAt.getTime() <= end && other.endsAt.getTime() > end);
}

export function sameStatus(a: SpanStatus, b: SpanStatus): boolean {
  return a.emoji === b.emoji && a.message === b.message && a.limitedAvailability === b.limitedAvailability;
}
