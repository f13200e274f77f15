import ICAL from 'ical.js';
import { IANAZone } from 'luxon';
import { findIana } from 'windows-iana';
import { WINDOWS_DISPLAY_NAMES } from './windows-display-names';
import type { Zone } from './zone';

type VTimezone = InstanceType<typeof ICAL.Timezone>;

/**
 * Resolves a TZID as written in a feed, in this order (docs/decisions.md, "Calendar rules"):
 * 1. an IANA name (tz database, even when the file has a VTIMEZONE of that name);
 * 2. the file's own VTIMEZONE (Windows names, custom names such as "Customized Time Zone 1");
 * 3. a Windows zone id through windows-iana ("W. Europe Standard Time");
 * 4. an OWA display name ("(UTC-05:00) Eastern Time (US & Canada)"), else its fixed "(UTC±hh:mm)" offset;
 * 5. otherwise the user's zone, as for a floating time.
 */
export class ZoneResolver {
  private readonly cache = new Map<string, Zone>();

  constructor(
    private readonly userZone: Zone,
    private readonly vtimezones: Map<string, VTimezone> = new Map(),
  ) {}

  get user(): Zone {
    return this.userZone;
  }

  resolve(tzid: string | undefined): Zone {
    if (tzid === undefined) return this.userZone;
    let zone = this.cache.get(tzid);
    if (!zone) {
      zone = this.lookup(tzid);
      this.cache.set(tzid, zone);
    }
    return zone;
  }

  private lookup(raw: string): Zone {
    const name = raw.replace(/^"|"$/g, '').trim();
    const iana = ianaName(name);
    if (iana) return { kind: 'iana', name: iana };
    const vtz = this.vtimezones.get(raw) ?? this.vtimezones.get(name);
    if (vtz) return { kind: 'vtimezone', id: name, tz: vtz };
    const windows = findIana(name)[0];
    if (windows && IANAZone.isValidZone(windows)) return { kind: 'iana', name: windows };
    return displayNameZone(name) ?? this.userZone;
  }
}

/** A valid IANA name, also inside a prefixed id such as "/mozilla.org/20050126_1/Europe/Berlin". */
export function ianaName(name: string): string | undefined {
  if (IANAZone.isValidZone(name)) return name;
  const tail = /([A-Za-z_]+\/[A-Za-z_+-]+(?:\/[A-Za-z_+-]+)?)$/.exec(name)?.[1];
  return tail && IANAZone.isValidZone(tail) ? tail : undefined;
}

function displayNameZone(name: string): Zone | undefined {
  const match = /^\((?:UTC|GMT)\s*(?:([+-])(\d{1,2}):?(\d{2}))?\)\s*(.*)$/i.exec(name);
  const label = (match ? match[4] : name).trim().toLowerCase();
  const iana = WINDOWS_DISPLAY_NAMES[label];
  if (iana) return { kind: 'iana', name: iana };
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  return { kind: 'fixed', offsetMinutes: match[2] ? sign * (Number(match[2]) * 60 + Number(match[3])) : 0 };
}

/** The zone for a Graph / Google `timeZone` field: IANA or a Windows id, else the user's zone. */
export function resolveNamedZone(name: string | undefined, userZone: Zone): Zone {
  return name ? new ZoneResolver(userZone).resolve(name) : userZone;
}
