import type { EventInstance, SourceProblem } from '../instance';
import { wallDate } from '../time/wall';
import { toInstant } from '../time/zone';
import { exclusionTest, expandMaster, instant, lengthOf, occurrenceAt, type Length, type Occurrence } from './expand';
import type { IcsEvent } from './read-event';

export interface SeriesOutput {
  instances: EventInstance[];
  problems: SourceProblem[];
}

/**
 * All instances of one UID: the newest master (highest SEQUENCE, then DTSTAMP) expanded, minus EXDATEs and
 * minus the instances its RECURRENCE-ID overrides replace; each override is an instance of its own (moved,
 * changed or cancelled), wherever it sits in the file. Older copies are reported as `superseded`.
 */
export function seriesInstances(events: IcsEvent[], from: number, stopAt: number, maxIterations: number): SeriesOutput {
  const problems: SourceProblem[] = [];
  const [master, ...oldMasters] = newestFirst(events.filter((e) => !e.recurrenceId));
  problems.push(...oldMasters.map((e) => superseded(e)));
  const overrides = newestPerRecurrenceId(events.filter((e) => e.recurrenceId), master, problems);
  const instances: EventInstance[] = [];
  const masterLength = master ? lengthOf(master) : undefined;
  if (master && masterLength) {
    const occurrences = expandMaster(master, from, stopAt, maxIterations);
    const excluded = exclusionTest(master);
    const overridden = overrideTest(master, overrides);
    const bad = occurrences.find((o) => o.end < o.start);
    if (bad) problems.push({ reason: 'unparseable', uid: master.uid, start: bad.start, title: master.attrs.title, private: master.attrs.private, detail: 'DTEND is before DTSTART' });
    else instances.push(...occurrences.filter((o) => !excluded(o) && !overridden(o)).map((o) => instanceOf(master, o)));
  }
  for (const override of overrides) {
    const occurrence = overrideOccurrence(override, masterLength);
    if (!occurrence) {
      problems.push({ reason: 'unparseable', uid: override.uid, start: instant(override.start), title: override.attrs.title, private: override.attrs.private, detail: 'DTEND is before DTSTART' });
      continue;
    }
    instances.push(instanceOf(override, occurrence, master));
  }
  return { instances, problems };
}

function newestFirst(events: IcsEvent[]): IcsEvent[] {
  return [...events].sort((a, b) => b.sequence - a.sequence || b.stamp - a.stamp);
}

function ridKey(e: IcsEvent, master: IcsEvent | undefined): string {
  const rid = e.recurrenceId!;
  if (rid.isDate || master?.start.isDate) return `d${wallDate(rid.wall)}`;
  return `t${toInstant(rid.wall, rid.floating && master ? master.start.zone : rid.zone)}`;
}

function newestPerRecurrenceId(overrides: IcsEvent[], master: IcsEvent | undefined, problems: SourceProblem[]): IcsEvent[] {
  const byKey = new Map<string, IcsEvent[]>();
  for (const o of overrides) byKey.set(ridKey(o, master), [...(byKey.get(ridKey(o, master)) ?? []), o]);
  return [...byKey.values()].map((copies) => {
    const [newest, ...older] = newestFirst(copies);
    problems.push(...older.map((e) => superseded(e)));
    return newest;
  });
}

function overrideTest(master: IcsEvent, overrides: IcsEvent[]): (o: Occurrence) => boolean {
  const keys = new Set(overrides.map((o) => ridKey(o, master)));
  return (o) => keys.has(`t${o.start}`) || keys.has(`d${wallDate(o.wall)}`);
}

/** An override without its own end lasts as long as the master; an impossible end (before start) too. */
function overrideOccurrence(override: IcsEvent, masterLength: Length | undefined): Occurrence | undefined {
  const own = override.end || override.duration ? lengthOf(override) : masterLength ?? lengthOf(override);
  const occurrence = occurrenceAt(override.start.wall, override.start.zone, own);
  if (occurrence.end >= occurrence.start) return occurrence;
  return masterLength ? occurrenceAt(override.start.wall, override.start.zone, masterLength) : undefined;
}

function instanceOf(event: IcsEvent, o: Occurrence, master?: IcsEvent): EventInstance {
  const attrs = { ...event.attrs };
  if (master) {
    attrs.private = attrs.private || master.attrs.private;
    if (attrs.ownerResponse === 'unknown') attrs.ownerResponse = master.attrs.ownerResponse;
  }
  return { uid: event.uid || undefined, start: o.start, end: o.end, ...attrs };
}

function superseded(e: IcsEvent): SourceProblem {
  const o = occurrenceAt(e.start.wall, e.start.zone, lengthOf(e));
  return { reason: 'superseded', uid: e.uid, start: o.start, end: o.end, title: e.attrs.title, private: e.attrs.private };
}
