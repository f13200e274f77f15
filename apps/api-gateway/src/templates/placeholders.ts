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
