import { PlatformOverrides, StatusTemplateEntity } from '@statusync/db';
import { endOfDay, FieldProblem, resolvePlaceholders } from '@statusync/core';
import { isPlatformId, PLATFORM_LIMITS, PLATFORMS, PlatformId } from '@statusync/platforms';
import { validationFailed } from '../http/validation';
import { StatusRequest } from '../status/status-request';
import { PresetOverridesDto } from '../status/status.dto';

const MINUTE_MS = 60_000;

/** When the applied status ends: the request's own expiry first, then the template's. */
function expiryOf(template: StatusTemplateEntity, dto: PresetOverridesDto, zone: string, now: Date): Date | null {
  if (dto.expiresAt !== undefined && dto.durationMinutes !== undefined) {
    throw validationFailed([{ field: 'durationMinutes', reason: 'give either expiresAt or durationMinutes, not both' }]);
  }
  if (dto.expiresAt !== undefined) return new Date(dto.expiresAt);
  const minutes = dto.durationMinutes ?? template.durationMinutes;
  if (minutes !== null) return new Date(now.getTime() + minutes * MINUTE_MS);
  return template.until === 'end_of_day' ? endOfDay(now, zone) : null;
}

export interface TemplateApplication {
  template: StatusTemplateEntity;
  /** The apply (or preset) body: message, expiry and platforms for this once. */
  dto: PresetOverridesDto;
  /** The user's zone, for `{until}` and "end of day". */
  zone: string;
  /** Set when applied through POST /status/presets/:name. */
  preset?: string;
  now?: Date;
}

/**
 * A template as one status request: expiry and placeholders resolved now, in the user's zone; per-platform
 * overrides kept. A message given at apply time replaces the template's and its per-platform messages (the
 * person said what they want everywhere); override emoji stay. Each platform's text must fit that platform.
 */
export function templateRequest({ template, dto, zone, preset, now = new Date() }: TemplateApplication): StatusRequest {
  const expiresAt = expiryOf(template, dto, zone, now);
  const problems: FieldProblem[] = [];
  const platforms = (dto.platforms ?? template.platforms ?? undefined) as PlatformId[] | undefined;
  const targets = (platforms ?? PLATFORMS).filter(isPlatformId);
  const resolve = (text: string | null | undefined, field: string, limitOf: PlatformId[]): string | null => {
    if (text === null || text === undefined) return null;
    const resolved = resolvePlaceholders(text, { now, expiresAt, zone });
    if (resolved === null) {
      problems.push({ field, reason: `${field} uses {until} or {duration}, but the status has no end: give durationMinutes or expiresAt` });
      return null;
    }
    for (const platform of limitOf) {
      const max = PLATFORM_LIMITS[platform].messageMaxLength;
      if (resolved.length > max) problems.push({ field, reason: `${field} resolves to ${resolved.length} characters; ${platform} allows ${max}` });
    }
    return resolved;
  };

  const overrides: PlatformOverrides = {};
  const messageGiven = dto.message !== undefined;
  for (const platform of targets) {
    const override = template.overrides?.[platform];
    if (!override) continue;
    const message = messageGiven ? undefined : resolve(override.message, `overrides.${platform}.message`, [platform]) ?? undefined;
    const entry = { ...(override.emoji ? { emoji: override.emoji } : {}), ...(message ? { message } : {}) };
    if (Object.keys(entry).length > 0) overrides[platform] = entry;
  }
  // The shared message goes to every target platform that has no message of its own.
  const sharedTargets = targets.filter((platform) => !overrides[platform]?.message);
  const message = resolve(messageGiven ? dto.message : template.message, 'message', sharedTargets);
  if (problems.length > 0) throw validationFailed(problems);

  return {
    kind: 'set',
    preset: preset ?? null,
    emoji: template.emoji,
    message,
    limitedAvailability: template.limitedAvailability,
    expiresAt,
    platforms,
    source: 'template',
    template: { id: template.id, name: template.name },
    platformOverrides: Object.keys(overrides).length > 0 ? overrides : null,
  };
}
