import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NO_CONTROL_CHARACTERS, PLATFORMS, PlatformId, STRICTEST_LIMITS } from '@statusync/platforms';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsEmoji } from '../http/is-emoji';
import { timestampExample } from '../http/openapi-timestamps';
import { IsTimestamp } from '../http/is-future-timestamp';
import { toInt } from '../http/query-int';

/** One year: longer statuses are almost certainly a unit mistake. */
const MAX_DURATION_MINUTES = 525_600;
const platformsMessage = `each value in platforms must be one of: ${PLATFORMS.join(', ')}`;

/** Fields shared by every status request, in layers: clear ⊂ preset overrides ⊂ full update. */
export class PlatformsFieldDto {
  @ApiPropertyOptional({ enum: PLATFORMS, isArray: true, example: ['github', 'slack'], description: 'Default: every configured platform' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(PLATFORMS.length)
  @ArrayUnique()
  @IsIn(PLATFORMS, { each: true, message: platformsMessage })
  platforms?: PlatformId[];
}

export class PresetOverridesDto extends PlatformsFieldDto {
  @ApiPropertyOptional({ example: 'In a meeting', maxLength: STRICTEST_LIMITS.messageMaxLength })
  @IsOptional()
  @IsString()
  @MaxLength(STRICTEST_LIMITS.messageMaxLength)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'message must not contain control characters or line breaks' })
  message?: string;

  @ApiPropertyOptional({ example: timestampExample(2), format: 'date-time', description: 'ISO 8601 with a time zone, in the future. Exclusive with durationMinutes.' })
  @IsOptional()
  @IsTimestamp({ future: true })
  expiresAt?: string;

  // `type` spelled out: the TypeScript type says number, and the document would then accept 1.5.
  @ApiPropertyOptional({ type: 'integer', example: 45, minimum: 1, maximum: MAX_DURATION_MINUTES, description: 'Expire after this many minutes. Exclusive with expiresAt.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DURATION_MINUTES)
  durationMinutes?: number;
}

export class StatusUpdateDto extends PresetOverridesDto {
  @ApiPropertyOptional({
    example: ':spiral_calendar_pad:',
    maxLength: 120,
    description: "A `:shortcode:` (GitHub's or Slack's name, e.g. `:coffee:`, `:wave::skin-tone-3:`) or a Unicode emoji (`🍕`), known to emojibase-data; each platform is sent its own form",
  })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @IsEmoji()
  emoji?: string;

  @ApiPropertyOptional({ example: false, description: 'Shows "busy" on GitHub' })
  @IsOptional()
  @IsBoolean()
  limitedAvailability?: boolean;
}

export class ClearStatusDto extends PlatformsFieldDto {}

export class UpdateIdParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class PresetParamDto {
  @IsString()
  @MaxLength(64)
  name: string;
}

/** Query strings arrive as text; convert explicitly and let validation judge the result. */
export class HistoryQueryDto {
  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional()
  @IsIn(PLATFORMS, { message: `platform must be one of: ${PLATFORMS.join(', ')}` })
  platform?: PlatformId;

  @ApiPropertyOptional({ example: timestampExample(-24 * 30), format: 'date-time', description: 'Only updates requested at or after this time' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ example: timestampExample(24), format: 'date-time', description: 'Only updates requested before this time' })
  @IsOptional()
  @IsTimestamp()
  to?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

