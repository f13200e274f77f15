/** The zones this runtime lists (IANA names), plus `UTC`, which Intl lists only under its canonical name on some builds. */
let zones: Set<string> | undefined;

/**
 * A zone of the runtime's list, or an IANA alias the runtime maps onto one. Node 20's ICU lists older canonical
 * names (`Asia/Calcutta`, `Europe/Kiev`), while people and browsers send the current ones (`Asia/Kolkata`,
 * `Europe/Kyiv`): both are accepted, and kept as given.
 */
export function isKnownTimeZone(zone: string): boolean {
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  if (zones.has(zone)) return true;
  // Only names shaped like IANA zones reach Intl, which would otherwise also accept offsets such as "+02:00".
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){1,2}$/.test(zone)) return false;
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    return zones.has(resolved) && resolved.toLowerCase() !== zone.toLowerCase();
  } catch {
    return false;
  }
}
