import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsEmail, IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, ValidateIf, ValidateNested } from 'class-validator';

export const CALENDAR_TYPES = ['ics', 'google', 'microsoft'] as const;
export const SPAN_KINDS = ['out_of_office', 'meeting', 'focus'] as const;

/** Per-calendar rules; every field optional, unset ones take the defaults below. */
export class CalendarRulesDto {
  @ApiPropertyOptional({ example: false, description: 'All-day events count as busy (default false: ignored, with reason `all-day`)' })
  @IsOptional()
  @IsBoolean()
  includeAllDay?: boolean;

  @ApiPropertyOptional({ example: false, description: 'Show event titles in spans and the preview (default false). Never for private/confidential events' })
  @IsOptional()
  @IsBoolean()
  includeTitles?: boolean;

  @ApiPropertyOptional({ enum: SPAN_KINDS, isArray: true, example: ['out_of_office', 'meeting'], description: 'Which kinds of busy span set a status (default all three)' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(3)
  @IsIn(SPAN_KINDS, { each: true })
  kinds?: (typeof SPAN_KINDS)[number][];

  @ApiPropertyOptional({ example: false, description: 'Focus time also snoozes Slack notifications (DND) (default false)' })
  @IsOptional()
  @IsBoolean()
  focusDnd?: boolean;
}

export class CreateCalendarDto {
  @ApiProperty({
    enum: CALENDAR_TYPES,
    example: 'ics',
    description: '`ics`: a feed address (`url`). `google` / `microsoft`: connected with OAuth; the answer carries an `authorizeUrl` (422 naming `type` when this server has no OAuth app for the provider)',
  })
  @IsIn(CALENDAR_TYPES)
  type: (typeof CALENDAR_TYPES)[number];

  @ApiPropertyOptional({ example: 'https://calendar.example.com/ical/secret-token/basic.ics', maxLength: 2048, description: 'ICS only: the secret address of the feed. Stored encrypted, never returned (only its host)' })
  @ValidateIf((dto: CreateCalendarDto) => dto.type === 'ics')
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ example: 'ada@example.com', maxLength: 320, description: 'Whose answers (accepted/declined) count; defaults to the `email` claim of your token' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  ownerEmail?: string;

  @ApiPropertyOptional({ type: CalendarRulesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CalendarRulesDto)
  rules?: CalendarRulesDto;
}

export class UpdateCalendarDto {
  @ApiPropertyOptional({ type: CalendarRulesDto, description: 'The fields given replace the stored ones; the others stay' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CalendarRulesDto)
  rules?: CalendarRulesDto;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'ada@example.com', maxLength: 320, description: 'null: use your token\'s email claim again'})
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  ownerEmail?: string | null;
}

export class CalendarIdParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class PreviewQueryDto {
  @ApiPropertyOptional({ description: 'Window start, ISO 8601 (default now)', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Window end, exclusive, ISO 8601 (default from + 7 days); at most 62 days after from', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class CalendarProviderParamDto {
  @IsIn(['google', 'microsoft'], { message: 'type must be one of the following values: google, microsoft' })
  type: 'google' | 'microsoft';
}
