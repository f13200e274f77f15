import ICAL from 'ical.js';
import { DAY_MS, wallOf } from '../time/wall';
import { UTC_ZONE, type Zone } from '../time/zone';
import type { ZoneResolver } from '../time/zone-resolver';

export type IcalTime = InstanceType<typeof ICAL.Time>;
export type IcalProperty = InstanceType<typeof ICAL.Property>;
export type IcalDuration = InstanceType<typeof ICAL.Duration>;

/** A DATE or DATE-TIME value: its wall time and the zone it is written in. */
export interface IcsTime {
  wall: number;
  isDate: boolean;
  /** Written without `Z` or TZID; a floating EXDATE / RECURRENCE-ID takes its series' zone. */
  floating: boolean;
  zone: Zone;
}

/** Reads one ical.js time; `Z` is UTC, a TZID goes through the resolver, floating and dates use the user's zone. */
export function icsTime(time: IcalTime, tzid: string | undefined, zones: ZoneResolver): IcsTime {
  const wall = wallOf({ year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second });
  if (time.isDate) return { wall, isDate: true, floating: false, zone: zones.user };
  if (time.zone === ICAL.Timezone.utcTimezone && tzid === undefined) return { wall, isDate: false, floating: false, zone: UTC_ZONE };
  if (tzid === undefined) return { wall, isDate: false, floating: true, zone: zones.user };
  return { wall, isDate: false, floating: false, zone: zones.resolve(tzid) };
}

export function tzidOf(prop: IcalProperty): string | undefined {
  const tzid = prop.getParameter('tzid');
  return typeof tzid === 'string' ? tzid : Array.isArray(tzid) ? tzid[0] : undefined;
}

/** A DURATION split into its nominal part (weeks, days: wall-clock) and exact part (h/m/s). */
export interface SplitDuration {
  nominalMs: number;
  exactMs: number;
}

export function splitDuration(d: IcalDuration): SplitDuration {
  const sign = d.isNegative ? -1 : 1;
  return {
    nominalMs: sign * (d.weeks * 7 + d.days) * DAY_MS,
    exactMs: sign * ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000,
  };
}
