/** The zones this runtime knows (IANA names), plus `UTC`, which Intl lists only under its canonical name on some builds. */
let zones: Set<string> | undefined;

export function isKnownTimeZone(zone: string): boolean {
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return zones.has(zone);
}
