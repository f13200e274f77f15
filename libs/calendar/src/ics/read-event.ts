import ICAL from 'ical.js';
import type { EventInstance, OwnerResponse, ShowAs } from '../instance';
import { looksLikeFocus } from '../rules';
import type { ZoneResolver } from '../time/zone-resolver';
import { icsTime, splitDuration, tzidOf, type IcalProperty, type IcalTime, type IcsTime, type SplitDuration } from './ics-time';

export type IcsAttributes = Omit<EventInstance, 'start' | 'end' | 'uid'>;

export interface RDate {
  start: IcsTime;
  end?: IcsTime;
  duration?: SplitDuration;
}

/** A VEVENT read into plain values; recurrence is expanded later (expand.ts). */
export interface IcsEvent {
  uid: string;
  sequence: number;
  stamp: number;
  recurrenceId?: IcsTime;
  start: IcsTime;
  end?: IcsTime;
  duration?: SplitDuration;
  rrule?: InstanceType<typeof ICAL.Recur>;
  rdates: RDate[];
  exdates: IcsTime[];
  attrs: IcsAttributes;
}

type Component = InstanceType<typeof ICAL.Component>;

/** Reads every value eagerly so that a bad one throws here (and costs only this event). */
export function readEvent(vevent: Component, zones: ZoneResolver, ownerEmail: string | undefined, method?: string): IcsEvent {
  const dtstart = vevent.getFirstProperty('dtstart');
  if (!dtstart) throw new Error('no DTSTART');
  const dtend = vevent.getFirstProperty('dtend');
  const duration = vevent.getFirstPropertyValue('duration') as InstanceType<typeof ICAL.Duration> | null;
  const rridProp = vevent.getFirstProperty('recurrence-id');
  const stamp = vevent.getFirstPropertyValue('dtstamp') as IcalTime | null;
  return {
    uid: String(vevent.getFirstPropertyValue('uid') ?? '').trim(),
    sequence: Number(vevent.getFirstPropertyValue('sequence') ?? 0) || 0,
    stamp: stamp ? stamp.toUnixTime() : 0,
    start: single(dtstart, zones),
    end: dtend ? single(dtend, zones) : undefined,
    duration: duration ? splitDuration(duration) : undefined,
    recurrenceId: rridProp ? single(rridProp, zones) : undefined,
    rrule: (vevent.getFirstPropertyValue('rrule') as InstanceType<typeof ICAL.Recur> | null) ?? undefined,
    rdates: vevent.getAllProperties('rdate').flatMap((p) => readRDates(p, zones)),
    exdates: vevent.getAllProperties('exdate').flatMap((p) => p.getValues().map((t: IcalTime) => icsTime(t, tzidOf(p), zones))),
    attrs: readAttributes(vevent, single(dtstart, zones).isDate, ownerEmail, method),
  };
}

function single(prop: IcalProperty, zones: ZoneResolver): IcsTime {
  const value = prop.getFirstValue();
  if (!(value instanceof ICAL.Time)) throw new Error(`${prop.name.toUpperCase()} is not a date or date-time`);
  return icsTime(value, tzidOf(prop), zones);
}

function readRDates(prop: IcalProperty, zones: ZoneResolver): RDate[] {
  const tzid = tzidOf(prop);
  return prop.getValues().map((v: unknown): RDate => {
    if (v instanceof ICAL.Period) {
      const start = icsTime(v.start, tzid, zones);
      if (v.end) return { start, end: icsTime(v.end, tzid, zones) };
      return { start, duration: splitDuration(v.duration) };
    }
    return { start: icsTime(v as IcalTime, tzid, zones) };
  });
}

function text(vevent: Component, name: string): string | undefined {
  const value = vevent.getFirstPropertyValue(name);
  return value === null || value === undefined ? undefined : String(value).trim();
}

function readAttributes(vevent: Component, isDate: boolean, ownerEmail: string | undefined, method?: string): IcsAttributes {
  const status = text(vevent, 'status')?.toUpperCase();
  const busy = text(vevent, 'x-microsoft-cdo-busystatus')?.toUpperCase();
  const title = text(vevent, 'summary');
  const categories = vevent.getAllProperties('categories').flatMap((p) => p.getValues().map(String));
  const klass = text(vevent, 'class')?.toUpperCase();
  return {
    allDay: isDate || text(vevent, 'x-microsoft-cdo-alldayevent')?.toUpperCase() === 'TRUE',
    status: method === 'CANCEL' || status === 'CANCELLED' ? 'cancelled' : status === 'TENTATIVE' ? 'tentative' : 'confirmed',
    showAs: showAsOf(busy, text(vevent, 'transp')?.toUpperCase()),
    ownerResponse: ownerResponseOf(vevent, ownerEmail),
    eventType: busy === 'OOF' ? 'out_of_office' : busy === 'WORKINGELSEWHERE' ? 'working_location' : looksLikeFocus(title, categories) ? 'focus' : 'default',
    title,
    private: klass === 'PRIVATE' || klass === 'CONFIDENTIAL',
  };
}

/** Outlook's BUSYSTATUS, when present, is more precise than TRANSP (it can say TENTATIVE or OOF). */
function showAsOf(busyStatus: string | undefined, transp: string | undefined): ShowAs {
  const byStatus: Record<string, ShowAs> = { BUSY: 'busy', OOF: 'oof', FREE: 'free', TENTATIVE: 'tentative', WORKINGELSEWHERE: 'working_elsewhere' };
  if (busyStatus && byStatus[busyStatus]) return byStatus[busyStatus];
  return transp === 'TRANSPARENT' ? 'free' : 'busy';
}

function ownerResponseOf(vevent: Component, ownerEmail: string | undefined): OwnerResponse {
  if (!ownerEmail) return 'unknown';
  const owner = ownerEmail.trim().toLowerCase();
  const attendee = vevent.getAllProperties('attendee').find((p) => {
    const address = String(p.getFirstValue() ?? '').replace(/^mailto:/i, '').trim().toLowerCase();
    const email = p.getParameter('email');
    return address === owner || (typeof email === 'string' && email.trim().toLowerCase() === owner);
  });
  if (!attendee) return 'unknown';
  const partstat = String(attendee.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase();
  const byPartstat: Record<string, OwnerResponse> = { DECLINED: 'declined', TENTATIVE: 'tentative', DELEGATED: 'delegated', ACCEPTED: 'accepted' };
  return byPartstat[partstat] ?? 'needs_action';
}
