/**
 * Wall-clock times are carried as "wall milliseconds": Date.UTC of the local fields, with no zone.
 * Adding to them is wall-clock (nominal) arithmetic; a Zone turns them into real instants.
 */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export const DAY_MS = 86_400_000;

export function wallOf(f: WallFields): number {
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
}

export function fieldsOf(wall: number): WallFields {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The wall date (midnight) of a wall time. */
export function wallDate(wall: number): number {
  return Math.floor(wall / DAY_MS) * DAY_MS;
}

/** Wall time of day in milliseconds. */
export function wallTimeOfDay(wall: number): number {
  return wall - wallDate(wall);
}
