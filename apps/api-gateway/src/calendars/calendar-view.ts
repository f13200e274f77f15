import { effectiveRules } from '@statusync/calendar-feeds';
import type { CalendarRow, StoredCalendarRules } from '@statusync/db';
import type { CalendarView } from './calendars.views';

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

/** What the API shows of a calendar: never the sealed URL, only its host; rules with the org's defaults merged in. */
export function calendarView(row: CalendarRow, orgRules: StoredCalendarRules = {}): CalendarView {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    url: row.urlHint,
    ownerEmail: row.ownerEmail,
    rules: effectiveRules(row.rules, orgRules),
    lastFetchedAt: iso(row.lastFetchedAt),
    nextFetchAt: iso(row.nextFetchAt),
    lastError: row.lastError,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
}
