import { FieldProblem, hasPlaceholders } from '@statusync/core';
import { TemplateFields, TemplateOverrides } from '@statusync/db';
import { validationFailed } from '../http/validation';
import { TemplateOverridesDto, UpdateTemplateDto } from './templates.dto';

/** Only the emoji and message each platform was given; empty entries are dropped. */
function plainOverrides(dto: TemplateOverridesDto | null): TemplateOverrides {
  const overrides: TemplateOverrides = {};
  for (const [platform, override] of Object.entries(dto ?? {}) as [string, { emoji?: string; message?: string } | undefined][]) {
    if (!override) continue;
    const entry = { ...(override.emoji !== undefined ? { emoji: override.emoji } : {}), ...(override.message !== undefined ? { message: override.message } : {}) };
    if (Object.keys(entry).length > 0) overrides[platform] = entry;
  }
  return overrides;
}

/** `given` when the body has the field (null included: it clears), else what is stored. */
const pick = <T>(given: T | undefined, stored: T): T => (given !== undefined ? given : stored);

/**
 * A new template (no `stored`) or a PATCH merged onto one. Rules beyond single fields: a name; an emoji or a
 * message; at most one of durationMinutes and until (setting one clears the other); placeholders need an end.
 */
export function templateFields(dto: UpdateTemplateDto, stored?: TemplateFields): TemplateFields {
  const problems: FieldProblem[] = [];
  if (dto.name === null || (!stored && dto.name === undefined)) problems.push({ field: 'name', reason: 'name must be a string of 1-64 characters' });
  if ((dto.limitedAvailability as boolean | null) === null) problems.push({ field: 'limitedAvailability', reason: 'limitedAvailability must be a boolean value' });
  if (dto.durationMinutes != null && dto.until != null) problems.push({ field: 'durationMinutes', reason: 'give either durationMinutes or until, not both' });
  if (problems.length > 0) throw validationFailed(problems);

  const fields: TemplateFields = {
    name: dto.name ?? stored!.name,
    emoji: pick(dto.emoji, stored?.emoji ?? null),
    message: pick(dto.message, stored?.message ?? null),
    limitedAvailability: dto.limitedAvailability ?? stored?.limitedAvailability ?? false,
    durationMinutes: dto.until != null ? null : pick(dto.durationMinutes, stored?.durationMinutes ?? null),
    until: dto.durationMinutes != null ? null : pick(dto.until, stored?.until ?? null),
    platforms: pick(dto.platforms as string[] | null | undefined, stored?.platforms ?? null),
    overrides: dto.overrides !== undefined ? plainOverrides(dto.overrides) : (stored?.overrides ?? {}),
  };

  if (!fields.emoji && !fields.message) problems.push({ field: 'message', reason: 'give a message or an emoji' });
  if (fields.durationMinutes === null && fields.until === null) {
    const withPlaceholders = [
      ...(hasPlaceholders(fields.message) ? ['message'] : []),
      ...Object.entries(fields.overrides).flatMap(([platform, o]) => (hasPlaceholders(o?.message) ? [`overrides.${platform}.message`] : [])),
    ];
    for (const field of withPlaceholders) problems.push({ field, reason: `${field} uses {until} or {duration}: give the template durationMinutes or until` });
  }
  if (problems.length > 0) throw validationFailed(problems);
  return fields;
}
