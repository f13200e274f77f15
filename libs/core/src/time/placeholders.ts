import { DateTime } from 'luxon';

const PLACEHOLDER = /\{(until|duration)\}/g;

export const hasPlaceholders = (text: string | null | undefined): boolean => !!text && /\{(until|duration)\}/.test(text);

/** `45 min`, `2 h`, `1 h 30 min`. */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The end of the day `now` falls on, in `zone` (luxon does the zone arithmetic, DST included). */
export const endOfDay = (now: Date, zone: string): Date => DateTime.fromJSDate(now, { zone }).endOf('day').toJSDate();

export interface PlaceholderContext {
  now: Date;
  expiresAt: Date | null;
  /** The user's IANA zone. */
  zone: string;
}

/**
 * Resolves `{until}` (local end time, HH:mm in the user's zone) and `{duration}` (from now to the end, whole
 * minutes) at apply time. Returns null when the text uses one but the status has no end.
 */
export function resolvePlaceholders(text: string, context: PlaceholderContext): string | null {
  if (!hasPlaceholders(text)) return text;
  const { now, expiresAt, zone } = context;
  if (!expiresAt) return null;
  const until = DateTime.fromJSDate(expiresAt, { zone }).toFormat('HH:mm');
  const duration = formatDuration(Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 60_000)));
  return text.replace(PLACEHOLDER, (_match, name: string) => (name === 'until' ? until : duration));
}

export interface Occurrence {
  startsAt: Date;
  endsAt: Date | null;
}

/**
 * A schedule occurrence's text (docs/decisions.md §31): `{until}` is the occurrence's end in `zone`, `{duration}`
 * its length, each occurrence for itself (so a weekly 12:00–13:00 lunch reads "until 13:00" every week, DST or
 * not). Without an end the text stays as it is (the API refuses such a schedule).
 */
export function resolveForOccurrence(text: string | null, occurrence: Occurrence, zone: string): string | null {
  if (!text || !occurrence.endsAt) return text;
  return resolvePlaceholders(text, { now: occurrence.startsAt, expiresAt: occurrence.endsAt, zone }) ?? text;
}

/**
 * The longest text any occurrence of a rule whose occurrences last about `lengthMs` can resolve to: `{until}` is
 * always five characters, and `{duration}` is tried for every whole minute within an hour either way (a DST change
 * makes an occurrence an hour longer or shorter; "59 min" is longer than "1 h").
 */
export function longestResolution(text: string, lengthMs: number): string {
  const minutes = Math.max(1, Math.round(lengthMs / 60_000));
  let longest = '';
  for (let m = Math.max(1, minutes - 60); m <= minutes + 60; m += 1) {
    const duration = formatDuration(m);
    if (duration.length > longest.length) longest = duration;
  }
  return text.replace(PLACEHOLDER, (_match, name: string) => (name === 'until' ? '00:00' : longest));
}
