/** A named, ready-made status. Users may override message, expiry and platforms per request. */
export interface Preset {
  emoji: string;
  message: string;
  limitedAvailability: boolean;
  /** Default lifetime; null = until changed. */
  durationMinutes: number | null;
}

export const PRESETS = {
  working: { emoji: ':computer:', message: 'Working', limitedAvailability: false, durationMinutes: null },
  lunch: { emoji: ':hamburger:', message: 'Out for lunch', limitedAvailability: false, durationMinutes: 60 },
  away: { emoji: ':palm_tree:', message: 'Away', limitedAvailability: true, durationMinutes: null },
  busy: { emoji: ':no_entry:', message: 'Busy, focusing', limitedAvailability: true, durationMinutes: 60 },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
export const isPresetName = (name: string): name is PresetName => Object.hasOwn(PRESETS, name);
