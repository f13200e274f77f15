import ICAL from 'ical.js';
import { CalendarFeedError } from '../errors';
import type { SourceProblem, SourceResult } from '../instance';
import type { Zone } from '../time/zone';
import { ZoneResolver } from '../time/zone-resolver';
import type { CalendarLimits } from '../types';
import { readEvent, type IcsEvent } from './read-event';
import { seriesInstances } from './series';
import { splitCalendar } from './split';

/** iTIP messages that are answers or proposals, not calendar entries. */
const NOT_ENTRIES = new Set(['REPLY', 'COUNTER', 'REFRESH', 'DECLINECOUNTER']);
/** Per-series guard against rules that would iterate forever (e.g. FREQ=SECONDLY from 1970). */
const MAX_ITERATIONS_PER_SERIES = 200_000;

export interface IcsOptions {
  userZone: Zone;
  ownerEmail?: string;
  from: number;
  stopAt: number;
  limits: CalendarLimits;
}

/** Turns iCalendar text into event instances (those that may meet [from, stopAt)) and problems. */
export function icsInstances(text: string, options: IcsOptions): SourceResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > options.limits.maxBytes) {
    throw new CalendarFeedError('too_large', `the feed is ${bytes} bytes, more than the ${options.limits.maxBytes} allowed`);
  }
  const blocks = splitCalendar(text);
  const zones = new ZoneResolver(options.userZone, readTimezones(blocks.flatMap((b) => b.timezones)));
  const problems: SourceProblem[] = [];
  const byUid = new Map<string, IcsEvent[]>();
  let anonymous = 0;
  for (const block of blocks) {
    for (const source of block.events) {
      const parsed = parseEvent(source, zones, options.ownerEmail, block.method);
      if ('reason' in parsed) {
        problems.push(parsed);
        continue;
      }
      const key = parsed.uid || `#anonymous-${anonymous++}`;
      byUid.set(key, [...(byUid.get(key) ?? []), parsed]);
    }
  }
  const instances = [];
  for (const events of byUid.values()) {
    const series = seriesInstances(events, options.from, options.stopAt, MAX_ITERATIONS_PER_SERIES);
    instances.push(...series.instances);
    problems.push(...series.problems);
  }
  return { instances, problems };
}

function parseEvent(source: string, zones: ZoneResolver, ownerEmail: string | undefined, method?: string): IcsEvent | SourceProblem {
  let vevent: InstanceType<typeof ICAL.Component> | null = null;
  try {
    vevent = parseComponent(source, 'vevent');
    if (method && NOT_ENTRIES.has(method)) {
      return { reason: 'scheduling-message', uid: textOf(vevent, 'uid'), title: textOf(vevent, 'summary'), private: true };
    }
    return readEvent(vevent, zones, ownerEmail, method);
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 200) : 'unreadable event';
    return { reason: 'unparseable', uid: vevent ? textOf(vevent, 'uid') : undefined, detail, private: true };
  }
}

function parseComponent(source: string, name: string): InstanceType<typeof ICAL.Component> {
  const root = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${source}\r\nEND:VCALENDAR`));
  const component = root.getFirstSubcomponent(name);
  if (!component) throw new Error(`no ${name.toUpperCase()}`);
  return component;
}

function textOf(component: InstanceType<typeof ICAL.Component>, name: string): string | undefined {
  try {
    const value = component.getFirstPropertyValue(name);
    return value === null ? undefined : String(value);
  } catch {
    return undefined;
  }
}

/** The file's VTIMEZONEs by TZID; a broken one is skipped (its events then resolve another way). */
function readTimezones(sources: string[]): Map<string, InstanceType<typeof ICAL.Timezone>> {
  const zones = new Map<string, InstanceType<typeof ICAL.Timezone>>();
  for (const source of sources) {
    try {
      const component = parseComponent(source, 'vtimezone');
      const tzid = component.getFirstPropertyValue('tzid');
      if (typeof tzid !== 'string' || !tzid) continue;
      const tz = new ICAL.Timezone({ component, tzid });
      if (!zones.has(tzid)) zones.set(tzid, tz);
      if (!zones.has(tzid.trim())) zones.set(tzid.trim(), tz);
    } catch {
      // An unreadable VTIMEZONE is not fatal: the resolver falls back to the tz database or the user's zone.
    }
  }
  return zones;
}
