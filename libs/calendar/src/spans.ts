import { KIND_PRIORITY, type BusyKind, type BusySegment, type BusySpan } from './types';

export interface CountedInterval {
  start: number;
  end: number;
  kind: BusyKind;
  title?: string;
}

/**
 * Clips counted intervals to [from, to) and merges touching or overlapping ones into spans.
 * A span of mixed kinds keeps the highest-priority kind and lists its segments (each instant gets the
 * highest-priority kind covering it), so a consumer can show one status for the whole span or switch inside it.
 */
export function buildSpans(intervals: CountedInterval[], from: number, to: number): BusySpan[] {
  const clipped = intervals
    .map((i) => ({ ...i, start: Math.max(i.start, from), end: Math.min(i.end, to) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const groups: CountedInterval[][] = [];
  let groupEnd = -Infinity;
  for (const interval of clipped) {
    if (interval.start <= groupEnd) {
      groups[groups.length - 1].push(interval);
      groupEnd = Math.max(groupEnd, interval.end);
    } else {
      groups.push([interval]);
      groupEnd = interval.end;
    }
  }
  return groups.map(toSpan);
}

function toSpan(group: CountedInterval[]): BusySpan {
  const start = Math.min(...group.map((i) => i.start));
  const end = Math.max(...group.map((i) => i.end));
  const segments = segmentsOf(group);
  const kind = segments.reduce<BusyKind>((best, s) => (KIND_PRIORITY[s.kind] > KIND_PRIORITY[best] ? s.kind : best), 'focus');
  const span: BusySpan = { start: iso(start), end: iso(end), kind, segments };
  const titles = [...new Set(group.flatMap((i) => (i.title ? [i.title] : [])))];
  if (titles.length) span.titles = titles;
  return span;
}

function segmentsOf(group: CountedInterval[]): BusySegment[] {
  const cuts = [...new Set(group.flatMap((i) => [i.start, i.end]))].sort((a, b) => a - b);
  const out: { start: number; end: number; kind: BusyKind }[] = [];
  for (let n = 0; n < cuts.length - 1; n++) {
    const [a, b] = [cuts[n], cuts[n + 1]];
    const covering = group.filter((i) => i.start < b && i.end > a);
    if (!covering.length) continue;
    const kind = covering.reduce<BusyKind>((best, i) => (KIND_PRIORITY[i.kind] > KIND_PRIORITY[best] ? i.kind : best), covering[0].kind);
    const last = out[out.length - 1];
    if (last && last.kind === kind && last.end === a) last.end = b;
    else out.push({ start: a, end: b, kind });
  }
  return out.map((s) => ({ start: iso(s.start), end: iso(s.end), kind: s.kind }));
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
