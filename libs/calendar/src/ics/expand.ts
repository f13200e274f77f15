import ICAL from 'ical.js';
import { DAY_MS, wallDate, wallOf, wallTimeOfDay } from '../time/wall';
import { toInstant, zoneKey, type Zone } from '../time/zone';
import type { IcsTime, SplitDuration } from './ics-time';
import type { IcsEvent } from './read-event';

export interface Occurrence {
  /** Wall start in the series' zone: overrides and EXDATEs are matched on it. */
  wall: number;
  start: number;
  end: number;
}

/**
 * How long an instance lasts, kept as written: a wall-clock delta (DTEND in the same zone as DTSTART, applied
 * in the instance's zone), a nominal + exact DURATION, or exact milliseconds (DTEND in another zone).
 */
export type Length =
  | { kind: 'wall'; deltaMs: number }
  | { kind: 'duration'; duration: SplitDuration }
  | { kind: 'exact'; ms: number };

export function lengthOf(event: Pick<IcsEvent, 'start' | 'end' | 'duration'>): Length {
  const { start, end, duration } = event;
  if (end && (end.isDate === start.isDate) && zoneKey(end.zone) === zoneKey(start.zone)) {
    return { kind: 'wall', deltaMs: end.wall - start.wall };
  }
  if (end) return { kind: 'exact', ms: instant(end) - instant(start) };
  if (duration) return { kind: 'duration', duration };
  return start.isDate ? { kind: 'duration', duration: { nominalMs: DAY_MS, exactMs: 0 } } : { kind: 'exact', ms: 0 };
}

export function instant(t: IcsTime): number {
  return toInstant(t.wall, t.zone);
}

/** Start and end instants of an instance that starts at `wall` in `zone`. */
export function occurrenceAt(wall: number, zone: Zone, length: Length): Occurrence {
  const start = toInstant(wall, zone);
  if (length.kind === 'wall') return { wall, start, end: toInstant(wall + length.deltaMs, zone) };
  if (length.kind === 'exact') return { wall, start, end: start + length.ms };
  return { wall, start, end: toInstant(wall + length.duration.nominalMs, zone) + length.duration.exactMs };
}

/**
 * Expands a master event's RRULE (ical.js iterator over floating wall times, so zones never leak into
 * the rule arithmetic) and RDATEs, up to `until` (exclusive, epoch ms). UNTIL is checked here, inclusively,
 * against the real instant when it is UTC and against wall time otherwise. EXDATEs are applied by the caller.
 */
export function expandMaster(event: IcsEvent, from: number, stopAt: number, maxIterations: number): Occurrence[] {
  const length = lengthOf(event);
  // Occurrences that surely end before `from` are skipped without a zone conversion (old daily series are long).
  const skipBefore = from - Math.max(0, longest(length)) - ZONE_SLACK_MS;
  const zone = event.start.zone;
  const out: Occurrence[] = [];
  if (!event.rrule) {
    out.push(occurrenceAt(event.start.wall, zone, length));
  } else {
    const recur = event.rrule.clone();
    const until = recur.until;
    recur.until = null;
    const s = new Date(event.start.wall);
    const dtstart = new ICAL.Time({ year: s.getUTCFullYear(), month: s.getUTCMonth() + 1, day: s.getUTCDate(), hour: s.getUTCHours(), minute: s.getUTCMinutes(), second: s.getUTCSeconds(), isDate: event.start.isDate }, ICAL.Timezone.localTimezone);
    const iterator = recur.iterator(dtstart);
    for (let n = 0; n < maxIterations; n++) {
      const next = iterator.next();
      if (!next) break;
      const wall = wallOf({ year: next.year, month: next.month, day: next.day, hour: next.hour, minute: next.minute, second: next.second });
      if (wall < skipBefore) continue;
      const occurrence = occurrenceAt(wall, zone, length);
      if (until && !withinUntil(until, occurrence)) break;
      if (occurrence.start >= stopAt) break;
      out.push(occurrence);
    }
  }
  for (const rdate of event.rdates) {
    const rdateLength = rdate.end || rdate.duration ? lengthOf({ start: rdate.start, end: rdate.end, duration: rdate.duration }) : length;
    out.push(occurrenceAt(rdate.start.wall, rdate.start.zone, rdateLength));
  }
  return out;
}

/** More than any UTC offset: a wall time is within this of its instant. */
const ZONE_SLACK_MS = 2 * DAY_MS;

function longest(length: Length): number {
  if (length.kind === 'wall') return length.deltaMs;
  if (length.kind === 'exact') return length.ms;
  return length.duration.nominalMs + length.duration.exactMs + DAY_MS;
}

function withinUntil(until: InstanceType<typeof ICAL.Time>, occurrence: Occurrence): boolean {
  const untilWall = wallOf({ year: until.year, month: until.month, day: until.day, hour: until.hour, minute: until.minute, second: until.second });
  if (until.isDate) return wallDate(occurrence.wall) <= untilWall;
  if (until.zone === ICAL.Timezone.utcTimezone) return occurrence.start <= untilWall;
  return occurrence.wall <= untilWall;
}

/**
 * EXDATE matching: the exact instant; a DATE EXDATE (or any EXDATE of an all-day series) removes that
 * date; an EXDATE written in the series' own zone whose time of day differs from DTSTART's ("bad times",
 * seen in Google exports) also removes its whole date rather than nothing.
 */
export function exclusionTest(event: IcsEvent): (o: Occurrence) => boolean {
  const instants = new Set<number>();
  const dates = new Set<number>();
  const seriesKey = zoneKey(event.start.zone);
  for (const ex of event.exdates) {
    const zone = ex.floating ? event.start.zone : ex.zone;
    if (ex.isDate || event.start.isDate) {
      dates.add(wallDate(ex.wall));
      continue;
    }
    instants.add(toInstant(ex.wall, zone));
    if (zoneKey(zone) === seriesKey && wallTimeOfDay(ex.wall) !== wallTimeOfDay(event.start.wall)) dates.add(wallDate(ex.wall));
  }
  return (o) => instants.has(o.start) || dates.has(wallDate(o.wall));
}
