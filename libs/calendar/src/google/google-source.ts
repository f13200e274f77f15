import type { EventInstance, EventType, OwnerResponse, SourceProblem, SourceResult } from '../instance';
import { parseLocalDate, parseLocalDateTime } from '../time/parse-local';
import { DAY_MS } from '../time/wall';
import { toInstant, type Zone } from '../time/zone';
import { resolveNamedZone } from '../time/zone-resolver';
import type { GoogleEventItem } from '../types';

const EVENT_TYPES: Record<string, EventType> = { outOfOffice: 'out_of_office', focusTime: 'focus', workingLocation: 'working_location' };
const RESPONSES: Record<string, OwnerResponse> = { accepted: 'accepted', declined: 'declined', tentative: 'tentative', needsAction: 'needs_action' };

/** Google `events.list` items (singleEvents=true, so every item is one instance). */
export function googleInstances(items: GoogleEventItem[], userZone: Zone, ownerEmail?: string): SourceResult {
  const instances: EventInstance[] = [];
  const problems: SourceProblem[] = [];
  for (const item of items) {
    const isPrivate = item.visibility === 'private' || item.visibility === 'confidential';
    const start = googleTime(item.start, userZone);
    const end = googleTime(item.end, userZone) ?? (start !== undefined && item.start?.date ? start + DAY_MS : start);
    if (start === undefined || end === undefined) {
      problems.push({ reason: 'unparseable', uid: item.id, title: item.summary, private: isPrivate, detail: 'start or end missing or invalid' });
      continue;
    }
    instances.push({
      uid: item.id,
      start,
      end,
      allDay: Boolean(item.start?.date),
      status: item.status === 'cancelled' ? 'cancelled' : item.status === 'tentative' ? 'tentative' : 'confirmed',
      showAs: item.transparency === 'transparent' ? 'free' : 'busy',
      ownerResponse: ownerResponse(item, ownerEmail),
      eventType: EVENT_TYPES[item.eventType ?? ''] ?? 'default',
      title: item.summary,
      private: isPrivate,
    });
  }
  return { instances, problems };
}

/** `dateTime` carries its offset (RFC 3339); without one it is read in `timeZone`. A `date` is the user's day. */
function googleTime(t: GoogleEventItem['start'], userZone: Zone): number | undefined {
  if (!t) return undefined;
  if (t.date) {
    const wall = parseLocalDate(t.date);
    return wall === undefined ? undefined : toInstant(wall, userZone);
  }
  if (!t.dateTime) return undefined;
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(t.dateTime)) {
    const ms = Date.parse(t.dateTime);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const wall = parseLocalDateTime(t.dateTime);
  return wall === undefined ? undefined : toInstant(wall, resolveNamedZone(t.timeZone, userZone));
}

function ownerResponse(item: GoogleEventItem, ownerEmail?: string): OwnerResponse {
  const owner = ownerEmail?.trim().toLowerCase();
  const me = item.attendees?.find((a) => a.self) ?? item.attendees?.find((a) => owner && a.email?.trim().toLowerCase() === owner);
  if (!me) return 'unknown';
  return RESPONSES[me.responseStatus ?? ''] ?? 'needs_action';
}
