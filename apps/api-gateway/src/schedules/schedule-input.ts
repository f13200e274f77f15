import { FieldProblem, parseRrule, RecurrenceError } from '@statusync/core';
import { validationFailed } from '../http/validation';
import { CreateScheduleDto } from './schedules.dto';

/** Longest single occurrence: a longer "status span" is almost certainly a mistake in the times. */
export const MAX_SPAN_MS = 31 * 86_400_000;
/** A one-off may start a little in the past (clock skew, a slow client): it then fires at once. */
const PAST_TOLERANCE_MS = 60_000;
const MAX_RULE_AGE_MS = 366 * 86_400_000;

export interface ScheduleTimes {
  startsAt: Date;
  endsAt: Date | null;
  rrule: string | null;
}

/** Checks what class-validator cannot say alone; every problem names its field. */
export function checkScheduleInput(dto: CreateScheduleDto, now = new Date()): ScheduleTimes {
  const problems: FieldProblem[] = [];
  const startsAt = new Date(dto.startsAt);
  const endsAt = dto.endsAt ? new Date(dto.endsAt) : null;
  if ((dto.status === undefined) === (dto.templateId === undefined)) {
    problems.push({ field: 'status', reason: 'give either status or templateId (exactly one)' });
  }
  if (dto.status && !dto.status.emoji && !dto.status.message) problems.push({ field: 'status', reason: 'status needs an emoji or a message' });
  if (endsAt && endsAt <= startsAt) problems.push({ field: 'endsAt', reason: 'endsAt must be after startsAt' });
  if (endsAt && endsAt.getTime() - startsAt.getTime() > MAX_SPAN_MS) problems.push({ field: 'endsAt', reason: 'an occurrence may last at most 31 days' });
  let rrule: string | null = null;
  if (dto.rrule !== undefined) {
    try {
      parseRrule(dto.rrule);
      rrule = dto.rrule.trim().replace(/^RRULE:/i, '');
    } catch (error) {
      if (!(error instanceof RecurrenceError)) throw error;
      problems.push({ field: 'rrule', reason: error.message });
    }
    if (!endsAt) problems.push({ field: 'endsAt', reason: 'a recurring schedule needs endsAt (the end of its first occurrence)' });
    // The rule is iterated from its start (bounded): a start years back would exhaust the bound before today.
    if (startsAt.getTime() < now.getTime() - MAX_RULE_AGE_MS) problems.push({ field: 'startsAt', reason: 'a recurring schedule may start at most 366 days ago' });
  } else {
    if (startsAt.getTime() < now.getTime() - PAST_TOLERANCE_MS) problems.push({ field: 'startsAt', reason: 'a one-off schedule must start in the future' });
  }
  if (problems.length > 0) throw validationFailed(problems);
  return { startsAt, endsAt, rrule };
}
