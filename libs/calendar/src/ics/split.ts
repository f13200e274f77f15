import { CalendarFeedError } from '../errors';
import { repairLine } from './repair';

/** One VCALENDAR of a feed (a feed may concatenate several, e.g. iTIP message dumps). */
export interface CalendarBlock {
  method?: string;
  timezones: string[];
  events: string[];
}

/**
 * Cuts a feed into components so that ical.js parses each VEVENT and VTIMEZONE on its own:
 * one malformed line then costs one event, not the whole calendar. Content is parsed by ical.js only.
 */
export function splitCalendar(text: string): CalendarBlock[] {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r?\n[ \t]/g, '').split(/\r?\n|\r/).map(repairLine);
  if (!lines.some((l) => /^BEGIN:VCALENDAR\s*$/i.test(l))) {
    throw new CalendarFeedError('not_icalendar', 'the feed is not iCalendar data (no BEGIN:VCALENDAR)');
  }
  const blocks: CalendarBlock[] = [];
  let block: CalendarBlock | undefined;
  let component: { name: string; lines: string[]; depth: number } | undefined;
  for (const line of lines) {
    const begin = /^BEGIN:(.+?)\s*$/i.exec(line)?.[1].toUpperCase();
    const end = /^END:(.+?)\s*$/i.exec(line)?.[1].toUpperCase();
    if (component) {
      component.lines.push(line);
      if (begin) component.depth++;
      if (end) component.depth--;
      if (component.depth === 0) {
        if (component.name === 'VEVENT') block?.events.push(component.lines.join('\r\n'));
        if (component.name === 'VTIMEZONE') block?.timezones.push(component.lines.join('\r\n'));
        component = undefined;
      }
    } else if (begin === 'VCALENDAR') {
      block = { timezones: [], events: [] };
      blocks.push(block);
    } else if (end === 'VCALENDAR') {
      block = undefined;
    } else if (begin && block) {
      component = { name: begin, lines: [line], depth: 1 };
    } else if (block && /^METHOD:/i.test(line)) {
      block.method = line.slice(7).trim().toUpperCase();
    }
  }
  if (component?.name === 'VEVENT') block?.events.push(component.lines.join('\r\n'));
  return blocks;
}
