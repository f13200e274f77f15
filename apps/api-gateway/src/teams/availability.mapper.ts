import type { MemberFacts } from '@statusync/db';
import { availabilityOf, inForce, localTimeIn, platformsAgree, shownOn } from './availability';
import { MemberAvailabilityView, PlatformAvailabilityView } from './availability.views';

const iso = (value: string | null) => (value ? new Date(value).toISOString() : null);

export function memberAvailabilityView(member: MemberFacts, now = new Date()): MemberAvailabilityView {
  const status = inForce(member.latest, now);
  return {
    subject: member.subject,
    availability: availabilityOf(member, now),
    emoji: status?.emoji ?? null,
    message: status?.message ?? null,
    until: iso(status?.expiresAt ?? null),
    source: member.latest?.source ?? null,
    platforms: Object.fromEntries(
      member.platforms.map((facts): [string, PlatformAvailabilityView] => [
        facts.platform,
        { state: facts.delivery?.state ?? 'none', ...shownOn(facts, now), confirmedAt: iso(facts.seenAt) },
      ]),
    ),
    agree: platformsAgree(member, now),
    localTime: localTimeIn(member.timeZone, now),
    timeZone: member.timeZone,
  };
}
