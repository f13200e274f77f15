import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, Matches, registerDecorator, ValidateNested } from 'class-validator';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const START = /^([01]\d|2[0-3]):[0-5]\d$/;
/** An interval may end at midnight, written 24:00. */
const END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const MAX_INTERVALS_PER_DAY = 4;

export class WorkingIntervalDto {
  @ApiProperty({ example: '09:00', pattern: START.source, description: 'Local time (the user\'s zone), HH:mm' })
  @Matches(START, { message: 'start must be a time HH:mm (00:00–23:59)' })
  start: string;

  @ApiProperty({ example: '17:00', pattern: END.source, description: 'Local time, HH:mm, after start; 24:00 = midnight' })
  @Matches(END, { message: 'end must be a time HH:mm (00:00–24:00)' })
  end: string;
}

/** Intervals of one day must each end after they start and must not overlap. */
function IntervalsInOrder() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'intervalsInOrder',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => {
          if (!Array.isArray(value)) return true; // IsArray reports it
          const intervals = value.filter((v): v is WorkingIntervalDto => typeof v?.start === 'string' && typeof v?.end === 'string');
          const sorted = [...intervals].sort((a, b) => a.start.localeCompare(b.start));
          return sorted.every((interval, i) => interval.start < interval.end && (i === 0 || sorted[i - 1].end <= interval.start));
        },
        defaultMessage: () => `${propertyName}: each interval must end after it starts, and intervals must not overlap`,
      },
    });
}

const day = (name: string) => {
  const decorators = [
    ApiPropertyOptional({ type: WorkingIntervalDto, isArray: true, maxItems: MAX_INTERVALS_PER_DAY, example: name === 'sat' || name === 'sun' ? [] : [{ start: '09:00', end: '17:00' }] }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_INTERVALS_PER_DAY),
    ValidateNested({ each: true }),
    Type(() => WorkingIntervalDto),
    IntervalsInOrder(),
  ];
  return (target: object, key: string) => decorators.forEach((decorate) => decorate(target, key));
};

/**
 * When a person works, per weekday, in their own zone: `{ "mon": [{ "start": "09:00", "end": "17:00" }], … }`.
 * A day left out or empty is a day off. Up to four intervals a day (a split shift, a long lunch).
 */
export class WorkingHoursDto {
  @day('mon') mon?: WorkingIntervalDto[];
  @day('tue') tue?: WorkingIntervalDto[];
  @day('wed') wed?: WorkingIntervalDto[];
  @day('thu') thu?: WorkingIntervalDto[];
  @day('fri') fri?: WorkingIntervalDto[];
  @day('sat') sat?: WorkingIntervalDto[];
  @day('sun') sun?: WorkingIntervalDto[];
}
