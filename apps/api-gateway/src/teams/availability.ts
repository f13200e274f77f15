import type { LatestUpdate, MemberFacts, PlatformFacts, StoredStatus } from '@statusync/db';
import { canonicalEmoji } from '@statusync/platforms';
import { DateTime } from 'luxon';

export type Availability = 'available' | 'limited' | 'busy' | 'away' | 'unknown';

/** What a platform shows (or should show): both null means no status. */
export interface Shown {
  emoji: string | null;
  message: string | null;
}

const NOTHING: Shown = { emoji: null, message: null };

/** Emoji that mean "not here" / "do not disturb" whatever the words say (the presets' and the usual ones). */
const AWAY_EMOJI = canonicalSet([':palm_tree:', ':desert_island:', ':beach_with_umbrella:', ':airplane:', ':face_with_thermometer:', ':thermometer:', ':sleeping:', ':zzz:']);
const BUSY_EMOJI = canonicalSet([':no_entry:', ':no_entry_sign:', ':spiral_calendar_pad:', ':calendar:', ':date:', ':red_circle:', ':headphones:']);

/** Emoji compared in one spelling whichever way they were written (names differ per platform; Unicode pasted). */
function canonicalSet(emoji: string[]): { has(text: string): boolean } {
  let set: Set<string> | undefined;
  return { has: (text) => (set ??= new Set(emoji.map(canonicalEmoji))).has(canonicalEmoji(text)) };
}

const isExpired = (expiresAt: string | null, now: Date) => expiresAt !== null && new Date(expiresAt) <= now;

/** The latest update while it is in force: a set that has not expired. */
export function inForce(latest: LatestUpdate | null, now: Date): LatestUpdate | null {
  return latest && latest.kind === 'set' && !isExpired(latest.expiresAt, now) ? latest : null;
}

/**
 * available | limited | busy | away | unknown, from the status in force:
 * away (preset or template `away`, or an away emoji) > busy (`busy`, a calendar source, or a busy emoji) >
 * limited (limitedAvailability) > available. No status in force (cleared or expired) is `available`;
 * `unknown` only when nothing is known at all (no update ever, no platform reading).
 */
export function availabilityOf(member: MemberFacts, now: Date): Availability {
  const status = inForce(member.latest, now);
  if (!status) return member.latest || member.platforms.some((p) => p.seenAt) ? 'available' : 'unknown';
  const name = (status.preset ?? status.templateName ?? '').toLowerCase();
  if (name === 'away' || (status.emoji && AWAY_EMOJI.has(status.emoji))) return 'away';
  if (name === 'busy' || status.source === 'calendar' || (status.emoji && BUSY_EMOJI.has(status.emoji))) return 'busy';
  return status.limitedAvailability ? 'limited' : 'available';
}

/** A stored status as one platform was asked to show it (its override applied); nothing once expired or cleared. */
export function statusFor(status: StoredStatus | null, platform: string, now: Date): Shown {
  if (!status || status.kind === 'clear' || isExpired(status.expiresAt, now)) return NOTHING;
  const override = status.overrides?.[platform] ?? {};
  return { emoji: override.emoji ?? status.emoji ?? null, message: override.message ?? status.message ?? null };
}

/** What a platform shows: its own last answer if we have one, else what we last applied there. */
export function shownOn(facts: PlatformFacts, now: Date): Shown {
  if (facts.seenAt) return isExpired(facts.seenExpiresAt, now) ? NOTHING : { emoji: facts.seenEmoji, message: facts.seenMessage };
  return statusFor(facts.applied, facts.platform, now);
}

const sameEmoji = (a: string | null, b: string | null) => (a === null || b === null ? a === b : canonicalEmoji(a) === canonicalEmoji(b));
const same = (a: Shown, b: Shown) => sameEmoji(a.emoji || null, b.emoji || null) && (a.message ?? '') === (b.message ?? '');

/**
 * True when every connected platform shows what the latest update asked of it. False when one failed, one
 * was changed by hand (seen by a receipt or read-back), the last update went to some platforms only, or a
 * delivery is still under way.
 */
export function platformsAgree(member: MemberFacts, now: Date): boolean {
  return member.platforms.every((facts) => facts.delivery?.state !== 'failed' && same(shownOn(facts, now), statusFor(member.latest, facts.platform, now)));
}

/** The member's wall clock: ISO 8601 with their offset (e.g. 2026-11-24T15:04:05+01:00). */
export function localTimeIn(timeZone: string, now: Date): string {
  const utc = DateTime.fromJSDate(now).set({ millisecond: 0 }).toUTC();
  const local = utc.setZone(timeZone);
  return (local.isValid ? local : utc).toISO({ suppressMilliseconds: true })!;
}
