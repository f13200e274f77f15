import { createHash } from 'node:crypto';

const MAX_BACKOFF_MS = 6 * 3_600_000;

/** Up to a tenth of the interval, fixed per calendar: feeds are not all read in the same second. */
export function jitterMs(calendarId: string, intervalMs: number): number {
  const value = createHash('sha256').update(calendarId).digest().readUInt32BE(0);
  return value % Math.max(1, Math.floor(intervalMs / 10));
}

/** When to read next: the interval plus jitter; after failures, doubling per failure up to 6 hours. */
export function nextFetchAt(now: Date, calendarId: string, intervalMs: number, failures: number): Date {
  const base = failures === 0 ? intervalMs : Math.min(intervalMs * 2 ** Math.min(failures, 16), Math.max(MAX_BACKOFF_MS, intervalMs));
  return new Date(now.getTime() + base + jitterMs(calendarId, intervalMs));
}
