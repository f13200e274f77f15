import { mintJwt } from './jwt';
import { TestStack, TestUser } from './stack';

export const CALENDARS = '/api/v1/config/calendars';
export const OWNER = 'Ada@Example.com';

/** The user's token with an `email` claim (the default owner of a connected calendar). */
export const withEmail = (user: TestUser, email = OWNER): TestUser => ({ ...user, jwt: mintJwt(user.subject, { claims: { email } }) });

const stamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const dayStamp = (date: Date) => date.toISOString().slice(0, 10).replace(/-/g, '');

/** `days` days from today at `hour`:`minute` UTC. */
export function utcAt(days: number, hour: number, minute = 0): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, hour, minute));
}

export interface TestEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  allDay?: boolean;
  lines?: string[];
}

/** A small iCalendar feed (CRLF, as servers send it) with events at real times around now. */
export function icsFeed(events: TestEvent[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//statusync tests//EN', 'METHOD:PUBLISH'];
  for (const event of events) {
    lines.push('BEGIN:VEVENT', `UID:${event.uid}`, `DTSTAMP:${stamp(new Date())}`, `SUMMARY:${event.summary}`);
    if (event.allDay) lines.push(`DTSTART;VALUE=DATE:${dayStamp(event.start)}`, `DTEND;VALUE=DATE:${dayStamp(event.end)}`);
    else lines.push(`DTSTART:${stamp(event.start)}`, `DTEND:${stamp(event.end)}`);
    lines.push(...(event.lines ?? []), 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

/** Everything a calendars request could change; a refused request must leave it as it was. */
export async function calendarState(stack: TestStack): Promise<string> {
  const { rows } = await stack.db.query(
    `SELECT (SELECT coalesce(json_agg(c ORDER BY c.id), '[]') FROM (SELECT id, user_id, type, owner_email, url_hint, rules FROM calendar_connections) c) AS calendars,
            (SELECT count(*) FROM calendar_spans) AS spans`,
  );
  return JSON.stringify(rows[0]);
}
