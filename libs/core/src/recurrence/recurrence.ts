import ICAL from 'ical.js';
import { DateTime, IANAZone } from 'luxon';

/** Bad input to the recurrence engine; `field` names the request field it came from. */
export class RecurrenceError extends Error {
  constructor(
    readonly field: 'rrule' | 'timeZone',
    reason: string,
  ) {
    super(reason);
  }
}

export interface RecurrenceInput {
  /** The first occurrence. */
  startsAt: Date;
  endsAt: Date | null;
  /** An RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=MO`), with or without the `RRULE:` prefix; null: once. */
  rrule: string | null;
  /** IANA zone the rule repeats in: local times (and DST) follow it. */
  timeZone: string;
}

export interface OccurrenceTimes {
  /** Stable per occurrence: its start instant, ISO. */
  key: string;
  startsAt: Date;
  endsAt: Date | null;
}

/** Rules repeating more often than hourly would flood the platforms; refused. */
const ALLOWED_FREQ = new Set(['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const PARTS = new Set(['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST']);
/** Iterations of the rule per expansion, whatever the window: a sparse rule (BYSETPOS, leap days) stays bounded. */
const MAX_ITERATIONS = 50_000;

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Parses and checks an RRULE (ical.js); throws RecurrenceError naming what is wrong. */
export function parseRrule(text: string): InstanceType<typeof ICAL.Recur> {
  const value = text.trim().replace(/^RRULE:/i, '');
  if (value.length === 0 || value.length > 500) throw new RecurrenceError('rrule', 'must be an RRULE value of at most 500 characters, e.g. FREQ=WEEKLY;BYDAY=MO');
  for (const part of value.split(';')) {
    const [name] = part.split('=');
    if (!PARTS.has(name.toUpperCase())) throw new RecurrenceError('rrule', `unknown RRULE part "${name}"`);
  }
  let recur: InstanceType<typeof ICAL.Recur>;
  try {
    recur = ICAL.Recur.fromString(value);
    // ical.js checks BY* ranges (BYHOUR=25, BYSETPOS=400) only when iterating: try one step.
    recur.iterator(new ICAL.Time({ year: 2027, month: 1, day: 1, hour: 0, minute: 0, second: 0, isDate: false }, ICAL.Timezone.localTimezone)).next();
  } catch (error) {
    throw new RecurrenceError('rrule', (error as Error).message);
  }
  if (!recur.freq) throw new RecurrenceError('rrule', 'FREQ is required');
  if (!ALLOWED_FREQ.has(recur.freq)) throw new RecurrenceError('rrule', `FREQ must be one of ${[...ALLOWED_FREQ].join(', ')}`);
  if (recur.count !== null && recur.until !== null) throw new RecurrenceError('rrule', 'COUNT and UNTIL cannot both be set');
  if (recur.count !== null && recur.count < 1) throw new RecurrenceError('rrule', 'COUNT must be at least 1');
  if (recur.interval < 1) throw new RecurrenceError('rrule', 'INTERVAL must be at least 1');
  return recur;
}

/**
 * Occurrences overlapping [from, to), at most `max`, in order. The rule runs over floating wall times in the
 * zone (so 12:00 stays 12:00 local across DST) and each wall time becomes an instant through the tz database;
 * the length is kept as a wall-clock delta (12:00–13:00 stays one local hour). UNTIL is inclusive: compared as an
 * instant when written in UTC, as wall time otherwise.
 */
export function expandOccurrences(input: RecurrenceInput, from: Date, to: Date, max: number): OccurrenceTimes[] {
  if (!isValidTimeZone(input.timeZone)) throw new RecurrenceError('timeZone', 'must be an IANA time zone such as Europe/Berlin');
  const zone = input.timeZone;
  const start = DateTime.fromJSDate(input.startsAt, { zone });
  const lengthMs = input.endsAt ? wallMs(DateTime.fromJSDate(input.endsAt, { zone })) - wallMs(start) : null;
  const at = (wall: number): Date => DateTime.fromMillis(wall, { zone: 'UTC' }).setZone(zone, { keepLocalTime: true }).toJSDate();
  const occurrence = (wall: number): OccurrenceTimes => {
    const startsAt = at(wall);
    return { key: startsAt.toISOString(), startsAt, endsAt: lengthMs === null ? null : at(wall + lengthMs) };
  };
  const overlaps = (o: OccurrenceTimes) => o.startsAt < to && (o.endsAt ?? o.startsAt) >= from && (o.endsAt === null ? o.startsAt >= from : true);
  if (!input.rrule) {
    const once = { key: input.startsAt.toISOString(), startsAt: input.startsAt, endsAt: input.endsAt };
    return overlaps(once) && max > 0 ? [once] : [];
  }
  const recur = parseRrule(input.rrule).clone();
  const until = recur.until;
  recur.until = null;
  const iterator = recur.iterator(
    new ICAL.Time({ year: start.year, month: start.month, day: start.day, hour: start.hour, minute: start.minute, second: start.second, isDate: false }, ICAL.Timezone.localTimezone),
  );
  const out: OccurrenceTimes[] = [];
  for (let n = 0; n < MAX_ITERATIONS && out.length < max; n++) {
    const next = iterator.next();
    if (!next) break;
    const wall = Date.UTC(next.year, next.month - 1, next.day, next.hour, next.minute, next.second);
    const o = occurrence(wall);
    if (until && !withinUntil(until, wall, o.startsAt)) break;
    if (o.startsAt >= to) break;
    if (overlaps(o)) out.push(o);
  }
  return out;
}

function wallMs(time: DateTime): number {
  return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second, time.millisecond);
}

function withinUntil(until: InstanceType<typeof ICAL.Time>, wall: number, instant: Date): boolean {
  const untilWall = Date.UTC(until.year, until.month - 1, until.day, until.hour, until.minute, until.second);
  if (until.isDate) return wall < untilWall + 86_400_000;
  if (until.zone === ICAL.Timezone.utcTimezone) return instant.getTime() <= untilWall;
  return wall <= untilWall;
}
