import { expandOccurrences, resolveForOccurrence } from '@statusync/core';
import { EntityManager } from 'typeorm';
import type { Schedule } from '../schedules.repository';
import type { SpansRepository } from './spans.repository';
import type { ReplaceResult, TimedSpan } from './span-types';

/** Occurrences stored per schedule and run, whatever the horizon: an hourly rule cannot fill the table. */
export const MAX_MATERIALISED = 500;

/**
 * Stores a schedule's occurrences starting in [now, now + days) as spans (a one-off: its single span). Runs
 * when the schedule is created and on each scheduler reconcile; idempotent (spans are keyed by occurrence).
 */
export function materialiseSchedule(db: EntityManager, spans: SpansRepository, schedule: Schedule, now: Date, days: number): Promise<ReplaceResult> {
  const to = new Date(now.getTime() + days * 86_400_000);
  const from = schedule.rrule ? now : new Date(0);
  const occurrences = schedule.rrule
    ? expandOccurrences({ startsAt: schedule.startsAt, endsAt: schedule.endsAt, rrule: schedule.rrule, timeZone: schedule.timeZone ?? 'UTC' }, now, to, MAX_MATERIALISED)
        .filter((o) => o.startsAt >= now)
    : [{ key: 'once', startsAt: schedule.startsAt, endsAt: schedule.endsAt }];
  const timed: TimedSpan[] = occurrences.map((o) => ({
    occurrenceKey: o.key,
    startsAt: o.startsAt,
    endsAt: o.endsAt,
    // Placeholders per occurrence, in the schedule's zone (its wall times are in it too).
    status: { ...schedule.status, message: resolveForOccurrence(schedule.status.message, o, schedule.timeZone ?? 'UTC') },
    platforms: schedule.platforms,
    templateId: schedule.templateId,
    templateName: schedule.templateName,
  }));
  const window = schedule.rrule ? { from, to } : undefined;
  return spans.replaceForSource(db, { userId: schedule.userId, source: 'schedule', sourceId: schedule.id, spans: timed, window });
}
