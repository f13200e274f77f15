import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NO_CONTROL_CHARACTERS, PLATFORMS, PlatformId, STRICTEST_LIMITS } from '@statusync/platforms';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsEmoji } from '../http/is-emoji';
import { IsTimestamp } from '../http/is-future-timestamp';
import { timestampExample } from '../http/openapi-timestamps';
import { IsTimeZone } from '../me/is-time-zone';

export class ScheduledStatusDto {
  @ApiPropertyOptional({ example: ':sandwich:', maxLength: 120, description: 'A `:shortcode:` or a Unicode emoji' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @IsEmoji()
  emoji?: string;

  @ApiPropertyOptional({ example: 'Lunch', maxLength: STRICTEST_LIMITS.messageMaxLength })
  @IsOptional()
  @IsString()
  @MaxLength(STRICTEST_LIMITS.messageMaxLength)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'message must not contain control characters or line breaks' })
  message?: string;

  @ApiPropertyOptional({ example: true, description: 'Shows "busy" on GitHub' })
  @IsOptional()
  @IsBoolean()
  limitedAvailability?: boolean;

  @ApiPropertyOptional({ enum: PLATFORMS, isArray: true, example: ['github', 'slack'], description: 'Default: every platform configured when it starts' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(PLATFORMS.length)
  @ArrayUnique()
  @IsIn(PLATFORMS, { each: true, message: `each value in platforms must be one of: ${PLATFORMS.join(', ')}` })
  platforms?: PlatformId[];
}

export class CreateScheduleDto {
  @ApiProperty({ example: timestampExample(1), format: 'date-time', description: 'The (first) start, ISO 8601 with a zone. A one-off must start in the future.' })
  @IsTimestamp()
  startsAt: string;

  @ApiPropertyOptional({ example: timestampExample(2), format: 'date-time', description: 'The (first) end; required with rrule. Without it the status is set and never restored.' })
  @IsOptional()
  @IsTimestamp()
  endsAt?: string;

  @ApiPropertyOptional({ type: ScheduledStatusDto, description: 'The status to show; exclusive with templateId' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduledStatusDto)
  status?: ScheduledStatusDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'A template (yours or your org\'s) whose emoji, message, availability and platforms are copied now; exclusive with status' })
  @IsOptional()
  @IsUUID('all', { message: 'templateId must be a UUID' })
  templateId?: string;

  @ApiPropertyOptional({ example: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', maxLength: 500, description: 'RFC 5545 RRULE (HOURLY or rarer), repeated from startsAt in timeZone' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  rrule?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA zone the rule repeats in (local times stay put across DST); default: your zone (PATCH /me)' })
  @IsOptional()
  @IsString()
  @IsTimeZone()
  timeZone?: string;
}

export class ScheduleIdParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class OccurrencesQueryDto {
  @ApiPropertyOptional({ example: timestampExample(0), format: 'date-time', description: 'Default: now' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ example: timestampExample(24 * 14), format: 'date-time', description: 'Default: from + 30 days; at most 366 days after from' })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}
