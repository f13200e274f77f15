/**
 * Two repairs of real-world mistakes that ical.js rejects but whose meaning is unambiguous:
 * - spaces inside an RRULE/EXRULE value (Exchange CDO writes "BYDAY=MO, TU, WE");
 * - a date-only value without VALUE=DATE on a date property ("DTSTART;TZID=...:20041225", Google, Apple).
 * Anything else malformed is left alone and costs its event (reason `unparseable`).
 */
const DATE_PROPERTIES = new Set(['DTSTART', 'DTEND', 'RECURRENCE-ID', 'EXDATE', 'RDATE']);

export function repairLine(line: string): string {
  const colon = valueColon(line);
  if (colon < 0) return line;
  const head = line.slice(0, colon);
  const value = line.slice(colon + 1);
  const name = head.split(';')[0].toUpperCase();
  if (name === 'RRULE' || name === 'EXRULE') return `${head}:${value.replace(/\s+/g, '')}`;
  if (DATE_PROPERTIES.has(name) && /^\d{8}(,\d{8})*$/.test(value.trim()) && !/;VALUE=/i.test(head)) {
    return `${head};VALUE=DATE:${value.trim()}`;
  }
  return line;
}

/** Index of the colon that separates name and parameters from the value (colons in quotes don't count). */
function valueColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return i;
  }
  return -1;
}
