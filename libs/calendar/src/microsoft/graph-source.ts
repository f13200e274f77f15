import type { EventInstance, EventType, OwnerResponse, ShowAs, SourceProblem, SourceResult } from '../instance';
import { looksLikeFocus } from '../rules';
import { parseLocalDateTime } from '../time/parse-local';
import { wallDate } from '../time/wall';
import { toInstant, type Zone } from '../time/zone';
import { resolveNamedZone } from '../time/zone-resolver';
import type { GraphEventItem } from '../types';

const SHOW_AS: Record<string, ShowAs> = { free: 'free', tentative: 'tentative', busy: 'busy', oof: 'oof', workingElsewhere: 'working_elsewhere' };
const RESPONSES: Record<string, OwnerResponse> = {
  accepted: 'accepted',
  organizer: 'accepted',
  declined: 'declined',
  tentativelyAccepted: 'tentative',
  notResponded: 'needs_action',
  none: 'unknown',
};

/** Microsoft Graph `calendarView` (or its delta) items; `@removed` entries and series masters are skipped. */
export function graphInstances(items: GraphEventItem[], userZone: Zone): SourceResult {
  const instances: EventInstance[] = [];
  const problems: SourceProblem[] = [];
  for (const item of items) {
    if (item['@removed'] !== undefined || item.type === 'seriesMaster') continue;
    const isPrivate = ['private', 'confidential', 'personal'].includes(item.sensitivity ?? '');
    const allDay = item.isAllDay === true;
    const start = graphTime(item.start, allDay, userZone);
    const end = graphTime(item.end, allDay, userZone);
    if (start === undefined || end === undefined) {
      problems.push({ reason: 'unparseable', uid: item.id, title: item.subject, private: isPrivate, detail: 'start or end missing or invalid' });
      continue;
    }
    const showAs = SHOW_AS[item.showAs ?? ''] ?? 'busy';
    instances.push({
      uid: item.id,
      start,
      end,
      allDay,
      status: item.isCancelled ? 'cancelled' : 'confirmed',
      showAs,
      ownerResponse: RESPONSES[item.responseStatus?.response ?? ''] ?? 'unknown',
      eventType: eventType(item, showAs),
      title: item.subject,
      private: isPrivate,
    });
  }
  return { instances, problems };
}

function eventType(item: GraphEventItem, showAs: ShowAs): EventType {
  if (showAs === 'oof') return 'out_of_office';
  if (showAs === 'working_elsewhere') return 'working_location';
  return looksLikeFocus(item.subject, item.categories) ? 'focus' : 'default';
}

/** Graph gives a wall time plus `timeZone` (IANA or a Windows id); an all-day event is the user's day. */
function graphTime(t: GraphEventItem['start'], allDay: boolean, userZone: Zone): number | undefined {
  if (t?.dateTime && /(Z|[+-]\d{2}:\d{2})$/.test(t.dateTime) && !allDay) {
    const ms = Date.parse(t.dateTime);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const wall = t?.dateTime ? parseLocalDateTime(t.dateTime.replace(/(Z|[+-]\d{2}:\d{2})$/, '')) : undefined;
  if (wall === undefined) return undefined;
  if (allDay) return toInstant(wallDate(wall), userZone);
  return toInstant(wall, resolveNamedZone(t?.timeZone, userZone));
}
