import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { fieldsOf, type WallFields } from './wall';

/** A resolved time zone: the tz database, a file's VTIMEZONE (through ical.js), or a fixed offset. */
export type Zone =
  | { kind: 'iana'; name: string }
  | { kind: 'vtimezone'; id: string; tz: InstanceType<typeof ICAL.Timezone> }
  | { kind: 'fixed'; offsetMinutes: number };

export const UTC_ZONE: Zone = { kind: 'iana', name: 'UTC' };

export function zoneKey(zone: Zone): string {
  if (zone.kind === 'iana') return `iana:${zone.name}`;
  if (zone.kind === 'vtimezone') return `vtz:${zone.id}`;
  return `fixed:${zone.offsetMinutes}`;
}

/** The instant (epoch ms) of a wall time in a zone. A time skipped by DST moves forward (tz database rule). */
export function toInstant(wall: number, zone: Zone): number {
  const f = fieldsOf(wall);
  if (zone.kind === 'fixed') return wall - zone.offsetMinutes * 60_000;
  if (zone.kind === 'iana') return DateTime.fromObject(f, { zone: zone.name }).toMillis();
  return vtimezoneInstant(f, zone.tz);
}

function vtimezoneInstant(f: WallFields, tz: InstanceType<typeof ICAL.Timezone>): number {
  const time = new ICAL.Time({ ...f, isDate: false }, tz);
  return time.toUnixTime() * 1000;
}
