import { StoredSpan, TimedSpan } from '@statusync/db';
import { STRICTEST_LIMITS } from '@statusync/platforms';
import { DateTime } from 'luxon';

/**
 * What a calendar span shows (issue 9, "What to show"): a meeting is limited availability with the meeting emoji,
 * out of office is `away` with the return date, focus time says so. The title joins the message only where the
 * calendar's rules let it through (never for private events: the rules engine withholds those titles).
 */
export function calendarStatus(span: StoredSpan, timeZone: string): TimedSpan['status'] {
  switch (span.kind) {
    case 'out_of_office': {
      const back = DateTime.fromJSDate(new Date(span.endsAt)).setZone(timeZone);
      return { emoji: ':palm_tree:', message: `Away, back ${back.toFormat('ccc d LLL HH:mm')}`, limitedAvailability: true };
    }
    case 'focus':
      return { emoji: ':headphones:', message: fit('Focusing', span.title), limitedAvailability: true };
    default:
      return { emoji: ':spiral_calendar_pad:', message: fit('In a meeting', span.title), limitedAvailability: true };
  }
}

/**
 * The calendar's spans as the span engine takes them: keyed by their start, so a re-read updates in place. With
 * `focusDnd` (an opt-in rule) a focus-time span also snoozes Slack notifications while it runs.
 */
export function calendarTimedSpans(spans: StoredSpan[], timeZone: string, focusDnd = false): TimedSpan[] {
  return spans.map((span) => ({
    occurrenceKey: new Date(span.startsAt).toISOString(),
    startsAt: new Date(span.startsAt),
    endsAt: new Date(span.endsAt),
    status: calendarStatus(span, timeZone),
    platforms: null,
    slackDnd: focusDnd && span.kind === 'focus',
  }));
}

function fit(label: string, title: string | null | undefined): string {
  if (!title) return label;
  const message = `${label}: ${title}`;
  return message.length <= STRICTEST_LIMITS.messageMaxLength ? message : `${message.slice(0, STRICTEST_LIMITS.messageMaxLength - 1)}…`;
}
