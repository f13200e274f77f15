/** Public types of the calendar rules engine (see libs/calendar/README.md). */

/** What a busy span shows, in priority order out_of_office > meeting > focus. */
export type BusyKind = 'out_of_office' | 'meeting' | 'focus';

export const KIND_PRIORITY: Record<BusyKind, number> = { out_of_office: 3, meeting: 2, focus: 1 };

/** Why an event instance does not make the owner busy. */
export type IgnoreReason =
  | 'cancelled'
  | 'declined'
  | 'delegated'
  | 'tentative'
  | 'free'
  | 'all-day'
  | 'working-location'
  | 'zero-length'
  | 'superseded'
  | 'scheduling-message'
  | 'unparseable';

/** Per-calendar rules (org defaults merged in by the caller). Every field is optional. */
export interface CalendarRules {
  /** All-day events count as busy (default false: they are ignored). */
  includeAllDay?: boolean;
  /** Return event titles (default false). Never for private or confidential events. */
  includeTitles?: boolean;
}

export interface CalendarLimits {
  /** Largest iCalendar text accepted, in bytes (UTF-8). */
  maxBytes: number;
  /** Largest number of Google / Graph items accepted. */
  maxItems: number;
  /** Largest number of event instances one preview may produce inside its window. */
  maxInstances: number;
}

export const DEFAULT_LIMITS: CalendarLimits = { maxBytes: 5 * 1024 * 1024, maxItems: 20_000, maxInstances: 50_000 };

export interface PreviewContext {
  /** The calendar owner's address; decides whose ATTENDEE answer counts (ICS, and Google when `self` is absent). */
  ownerEmail?: string;
  /** IANA zone for floating times and all-day dates. */
  userTimeZone: string;
  limits?: Partial<CalendarLimits>;
}

export interface PreviewWindow {
  from: string | Date;
  to: string | Date;
}

/** A stretch of time of one kind inside a busy span. */
export interface BusySegment {
  start: string;
  end: string;
  kind: BusyKind;
}

export interface BusySpan {
  start: string;
  end: string;
  /** The highest-priority kind anywhere in the span. */
  kind: BusyKind;
  /** The span cut where the winning kind changes; one segment when the span has a single kind. */
  segments: BusySegment[];
  /** Titles of the events in the span, only with `includeTitles` and never for private events. */
  titles?: string[];
}

export interface IgnoredEvent {
  /** Real start/end of the instance (not clipped); null when the event could not be read. */
  start: string | null;
  end: string | null;
  reason: IgnoreReason;
  uid?: string;
  title?: string;
  /** What could not be read (reason `unparseable`). */
  detail?: string;
}

export interface PreviewResult {
  busy: BusySpan[];
  ignored: IgnoredEvent[];
}

/** Google Calendar `events.list` item (the fields we read). */
export interface GoogleEventItem {
  id?: string;
  status?: string;
  summary?: string;
  visibility?: string;
  transparency?: string;
  eventType?: string;
  start?: { date?: string; dateTime?: string; timeZone?: string };
  end?: { date?: string; dateTime?: string; timeZone?: string };
  attendees?: { email?: string; self?: boolean; responseStatus?: string }[];
}

/** Microsoft Graph `calendarView` item (the fields we read). */
export interface GraphEventItem {
  id?: string;
  subject?: string;
  showAs?: string;
  isCancelled?: boolean;
  isAllDay?: boolean;
  sensitivity?: string;
  type?: string;
  categories?: string[];
  responseStatus?: { response?: string };
  start?: { dateTime?: string; timeZone?: string };
  end?: { dateTime?: string; timeZone?: string };
  '@removed'?: unknown;
}

export type CalendarSource =
  | { type: 'ics'; text: string }
  | { type: 'google'; items: GoogleEventItem[] }
  | { type: 'microsoft'; items: GraphEventItem[] };
