import { wallOf } from './wall';

/** "2026-03-02" → wall ms, or undefined. */
export function parseLocalDate(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  return m ? checked(wallOf({ year: +m[1], month: +m[2], day: +m[3], hour: 0, minute: 0, second: 0 }), +m[2], +m[3]) : undefined;
}

/** "2026-03-02T09:00:00.0000000" (no offset; Graph, Google without offset) → wall ms, or undefined. */
export function parseLocalDateTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$/.exec(value.trim());
  if (!m) return undefined;
  return checked(wallOf({ year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +(m[6] ?? 0) }), +m[2], +m[3]);
}

function checked(wall: number, month: number, day: number): number | undefined {
  const d = new Date(wall);
  return d.getUTCMonth() + 1 === month && d.getUTCDate() === day ? wall : undefined;
}
