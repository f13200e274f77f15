import { IANAZone } from 'luxon';
import { CalendarFeedError, CalendarInputError } from './errors';
import { googleInstances } from './google/google-source';
import { icsInstances } from './ics/ics-source';
import type { EventInstance, SourceProblem, SourceResult } from './instance';
import { graphInstances } from './microsoft/graph-source';
import { classify } from './rules';
import { buildSpans, iso, type CountedInterval } from './spans';
import type { Zone } from './time/zone';
import {
  DEFAULT_LIMITS,
  type CalendarLimits,
  type CalendarRules,
  type CalendarSource,
  type IgnoredEvent,
  type PreviewContext,
  type PreviewResult,
  type PreviewWindow,
} from './types';

/**
 * The busy spans a calendar produces in [from, to) under `rules`, and every ignored event with why.
 * This is the one code path behind both the preview endpoint and the poller.
 * Throws CalendarFeedError for a feed that cannot be used at all, CalendarInputError for a bad window or context.
 */
export function preview(source: CalendarSource, window: PreviewWindow, rules: CalendarRules, ctx: PreviewContext): PreviewResult {
  const from = instantOf(window.from, 'from');
  const to = instantOf(window.to, 'to');
  if (to <= from) throw new CalendarInputError('to', 'must be after from');
  if (!IANAZone.isValidZone(ctx.userTimeZone)) throw new CalendarInputError('userTimeZone', 'must be an IANA time zone');
  const limits: CalendarLimits = { ...DEFAULT_LIMITS, ...ctx.limits };
  const userZone: Zone = { kind: 'iana', name: ctx.userTimeZone };
  const { instances, problems } = instancesOf(source, userZone, ctx.ownerEmail, from, to, limits);
  const inWindow = instances.filter((i) => overlaps(i.start, i.end, from, to));
  if (inWindow.length > limits.maxInstances) {
    throw new CalendarFeedError('too_large', `the window holds more than ${limits.maxInstances} events`);
  }
  const counted: CountedInterval[] = [];
  const ignored: IgnoredEvent[] = [];
  for (const instance of inWindow) {
    const verdict = classify(instance, rules);
    if (verdict.counts) counted.push({ start: instance.start, end: instance.end, kind: verdict.kind, title: titleOf(instance, rules) });
    else ignored.push(ignoredEntry(instance, verdict.reason, rules));
  }
  for (const problem of problems) {
    if (problem.start === undefined || overlaps(problem.start, problem.end ?? problem.start, from, to)) ignored.push(problemEntry(problem, rules));
  }
  ignored.sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''));
  return { busy: buildSpans(counted, from, to), ignored };
}

function instancesOf(source: CalendarSource, userZone: Zone, ownerEmail: string | undefined, from: number, stopAt: number, limits: CalendarLimits): SourceResult {
  if (source.type === 'ics') return icsInstances(source.text, { userZone, ownerEmail, from, stopAt, limits });
  if (source.items.length > limits.maxItems) {
    throw new CalendarFeedError('too_large', `the calendar returned ${source.items.length} events, more than the ${limits.maxItems} allowed`);
  }
  return source.type === 'google' ? googleInstances(source.items, userZone, ownerEmail) : graphInstances(source.items, userZone);
}

function instantOf(value: string | Date, field: string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new CalendarInputError(field, 'must be an ISO 8601 date-time');
  return ms;
}

/** [start, end) meets [from, to); a zero-length event counts when its instant is inside. */
function overlaps(start: number, end: number, from: number, to: number): boolean {
  return end > start ? start < to && end > from : start >= from && start < to;
}

function titleOf(item: { title?: string; private?: boolean }, rules: CalendarRules): string | undefined {
  return rules.includeTitles && !item.private && item.title ? item.title : undefined;
}

function ignoredEntry(instance: EventInstance, reason: IgnoredEvent['reason'], rules: CalendarRules): IgnoredEvent {
  const entry: IgnoredEvent = { start: iso(instance.start), end: iso(instance.end), reason };
  if (instance.uid) entry.uid = instance.uid;
  const title = titleOf(instance, rules);
  if (title) entry.title = title;
  return entry;
}

function problemEntry(problem: SourceProblem, rules: CalendarRules): IgnoredEvent {
  const entry: IgnoredEvent = {
    start: problem.start === undefined ? null : iso(problem.start),
    end: problem.end === undefined ? null : iso(problem.end),
    reason: problem.reason,
  };
  if (problem.uid) entry.uid = problem.uid;
  const title = titleOf(problem, rules);
  if (title) entry.title = title;
  if (problem.detail) entry.detail = problem.detail;
  return entry;
}
