import { CliError, EXIT } from './errors';

const UNITS: Record<string, number> = { m: 1, min: 1, h: 60, d: 1_440 };

/** "45m", "1h30m", "2h", "1d", or plain minutes ("90") → minutes. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return positive(Number(trimmed), text);
  const parts = [...trimmed.matchAll(/(\d+)\s*(min|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed.replace(/\s+/g, '')) {
    throw new CliError(`"${text}" is not a duration: use e.g. 45m, 1h30m, 2h or 1d`, EXIT.usage);
  }
  return positive(parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNITS[unit], 0), text);
}

function positive(minutes: number, text: string): number {
  if (minutes < 1) throw new CliError(`"${text}" is too short: at least one minute`, EXIT.usage);
  return minutes;
}

/** Minutes as people read them: 45 min, 1 h 30 min. */
export function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return [hours ? `${hours} h` : '', rest ? `${rest} min` : ''].filter(Boolean).join(' ') || '0 min';
}
