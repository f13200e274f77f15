import { preview } from '../preview';
import type { CalendarRules, PreviewContext, PreviewResult } from '../types';

/** Busy spans as [start, end, kind] with ISO strings normalised (so tests can write "2020-01-01T10:00Z"). */
export function busyOf(result: PreviewResult): [string, string, string][] {
  return result.busy.map((b) => [b.start, b.end, b.kind]);
}

export function span(start: string, end: string, kind = 'meeting'): [string, string, string] {
  return [new Date(start).toISOString(), new Date(end).toISOString(), kind];
}

export function reasonsOf(result: PreviewResult): string[] {
  return result.ignored.map((i) => i.reason);
}

/** Wraps VEVENT lines (and optional VTIMEZONEs) in a VCALENDAR with CRLF line ends. */
export function ics(...components: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//statusync//tests//EN', ...components, 'END:VCALENDAR'].join('\r\n');
}

export function vevent(...lines: string[]): string {
  const uid = lines.some((l) => l.startsWith('UID:')) ? [] : [`UID:${Math.random().toString(36).slice(2)}`];
  return ['BEGIN:VEVENT', ...uid, 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'].join('\r\n');
}

export function previewIcs(text: string, from: string, to: string, ctx: Partial<PreviewContext> = {}, rules: CalendarRules = {}): PreviewResult {
  return preview({ type: 'ics', text }, { from, to }, rules, { userTimeZone: 'UTC', ...ctx });
}
