import type { EventInstance } from './instance';
import type { BusyKind, CalendarRules, IgnoreReason } from './types';

export type Verdict = { counts: true; kind: BusyKind } | { counts: false; reason: IgnoreReason };

/**
 * The one place that decides whether an instance makes the owner busy, for every source.
 * Checks run in a fixed order and the first failing one names the reason (docs/decisions.md, "Calendar rules").
 */
export function classify(instance: EventInstance, rules: CalendarRules): Verdict {
  const reason = ignoreReason(instance, rules);
  if (reason) return { counts: false, reason };
  return { counts: true, kind: kindOf(instance) };
}

function ignoreReason(i: EventInstance, rules: CalendarRules): IgnoreReason | undefined {
  if (i.status === 'cancelled') return 'cancelled';
  if (i.eventType === 'working_location' || i.showAs === 'working_elsewhere') return 'working-location';
  if (i.allDay && !rules.includeAllDay) return 'all-day';
  if (i.ownerResponse === 'declined') return 'declined';
  if (i.ownerResponse === 'delegated') return 'delegated';
  if (i.status === 'tentative' || i.ownerResponse === 'tentative' || i.showAs === 'tentative') return 'tentative';
  if (i.showAs === 'free') return 'free';
  if (i.end <= i.start) return 'zero-length';
  return undefined;
}

function kindOf(i: EventInstance): BusyKind {
  if (i.eventType === 'out_of_office' || i.showAs === 'oof') return 'out_of_office';
  if (i.eventType === 'focus') return 'focus';
  return 'meeting';
}

/** Focus-time heuristic for sources without an event type: a title that is just "Focus" / "Focus time". */
export function looksLikeFocus(title: string | undefined, categories: string[] = []): boolean {
  const focus = /^\s*focus(\s+time)?\s*$/i;
  return (title !== undefined && focus.test(title)) || categories.some((c) => focus.test(c));
}
