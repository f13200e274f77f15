import { ApiPropertyOptional } from '@nestjs/swagger';
import { NO_CONTROL_CHARACTERS, PLATFORM_LIMITS, STRICTEST_LIMITS } from '@statusync/platforms';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { IsEmoji } from '../http/is-emoji';
import { PlatformsFieldDto } from '../status/status.dto';

const MAX_DURATION_MINUTES = 525_600;
const controlMessage = (field: string) => ({ message: `${field} must not contain control characters or line breaks` });
const PLACEHOLDER_NOTE = 'Placeholders `{until}` (local end time, HH:mm in your zone) and `{duration}` (`45 min`, `1 h 30 min`) are resolved when applied';
/** No control characters, no `/` (names appear in `/status/presets/:name`), no surrounding spaces. */
export const TEMPLATE_NAME = /^(?![\s])[^\u0000-\u001f\u007f-\u009f/]*(?<![\s])$/;

export class GithubOverrideDto {
  @ApiPropertyOptional({ example: '🐙', maxLength: 120, description: 'Any emoji GitHub knows (a name or Unicode)' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @IsEmoji({})
  emoji?: string;

  @ApiPropertyOptional({ example: 'Reviewing PRs until {until}', maxLength: PLATFORM_LIMITS.github.messageMaxLength })
  @IsOptional()
  @IsString()
  @MaxLength(PLATFORM_LIMITS.github.messageMaxLength)
  @Matches(NO_CONTROL_CHARACTERS, controlMessage('message'))
  message?: string;
}

export class SlackOverrideDto {
  @ApiPropertyOptional({ example: ':party-parrot:', maxLength: 120, description: 'May be a custom emoji of your workspace (not checked: Slack refuses it at apply if missing)' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @IsEmoji({ allowCustom: true, needsSlackName: true })
  emoji?: string;

  @ApiPropertyOptional({ example: 'Heads down, back at {until}', maxLength: PLATFORM_LIMITS.slack.messageMaxLength })
  @IsOptional()
  @IsString()
  @MaxLength(PLATFORM_LIMITS.slack.messageMaxLength)
  @Matches(NO_CONTROL_CHARACTERS, controlMessage('message'))
  message?: string;
}

export class TemplateOverridesDto {
  @ApiPropertyOptional({ type: GithubOverrideDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => GithubOverrideDto)
  github?: GithubOverrideDto;

  @ApiPropertyOptional({ type: SlackOverrideDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SlackOverrideDto)
  slack?: SlackOverrideDto;
}

/** The fields of a template; for PATCH every one is optional and `null` clears a nullable one. */
export class UpdateTemplateDto extends PlatformsFieldDto {
  @ApiPropertyOptional({ example: 'Focus', minLength: 1, maxLength: 64, description: 'Unique per scope, whatever the case' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Matches(TEMPLATE_NAME, { message: 'name must not contain control characters or "/", nor start or end with a space' })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '🎧', maxLength: 120, description: 'A `:shortcode:` or a Unicode emoji' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @IsEmoji()
  emoji?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Focusing until {until}', maxLength: STRICTEST_LIMITS.messageMaxLength, description: PLACEHOLDER_NOTE })
  @IsOptional()
  @IsString()
  @MaxLength(STRICTEST_LIMITS.messageMaxLength)
  @Matches(NO_CONTROL_CHARACTERS, controlMessage('message'))
  message?: string | null;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  limitedAvailability?: boolean;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 90, minimum: 1, maximum: MAX_DURATION_MINUTES, description: 'Exclusive with until' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DURATION_MINUTES)
  durationMinutes?: number | null;

  @ApiPropertyOptional({ enum: ['end_of_day'], nullable: true, description: "End of the day in the user's zone (PATCH /me). Exclusive with durationMinutes" })
  @IsOptional()
  @IsIn(['end_of_day'], { message: 'until must be end_of_day' })
  until?: 'end_of_day' | null;

  @ApiPropertyOptional({ type: TemplateOverridesDto, example: { slack: { emoji: ':party-parrot:' } }, description: 'Per platform, replaces emoji and/or message' })
  @IsOptional()
  @ValidateNested()
  @Type(() => TemplateOverridesDto)
  overrides?: TemplateOverridesDto;
}

export class CreateTemplateDto extends UpdateTemplateDto {
  @ApiPropertyOptional({ enum: ['personal', 'org'], default: 'personal', description: '`org`: for everyone in your organisation (org admins only)' })
  @IsOptional()
  @IsIn(['personal', 'org'], { message: 'scope must be personal or org' })
  scope?: 'personal' | 'org';
}

export class TemplateListQueryDto {
  @ApiPropertyOptional({ enum: ['personal', 'org'] })
  @IsOptional()
  @IsIn(['personal', 'org'], { message: 'scope must be personal or org' })
  scope?: 'personal' | 'org';
}
