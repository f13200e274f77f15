import type { CalendarRules } from '@statusync/calendar';
import type { SpanKind, StoredCalendarRules } from '@statusync/db';

export interface EffectiveRules {
  includeAllDay: boolean;
  includeTitles: boolean;
  kinds: SpanKind[];
  focusDnd: boolean;
}

/** The defaults every unset rule takes: titles hidden, all-day ignored, every kind acted on, no DND. */
export const DEFAULT_RULES: EffectiveRules = { includeAllDay: false, includeTitles: false, kinds: ['out_of_office', 'meeting', 'focus'], focusDnd: false };

/** A calendar's own rules over its org's defaults over the built-in defaults, field by field. */
export const effectiveRules = (stored: StoredCalendarRules, org: StoredCalendarRules = {}): EffectiveRules => ({ ...DEFAULT_RULES, ...org, ...stored });

/** The part of the rules the rules engine reads; `kinds` and `focusDnd` decide what is done with its spans. */
export const engineRules = (stored: StoredCalendarRules, org: StoredCalendarRules = {}): CalendarRules => {
  const rules = effectiveRules(stored, org);
  return { includeAllDay: rules.includeAllDay, includeTitles: rules.includeTitles };
};
