import { ApiPropertyOptional } from '@nestjs/swagger';
import { PLATFORMS, PlatformId } from '@statusync/platforms';
import { IsIn, IsOptional } from 'class-validator';
import { IsTimestamp } from '../http/is-future-timestamp';

export const ANALYTICS_SCOPES = ['personal', 'org'] as const;
export type AnalyticsScope = (typeof ANALYTICS_SCOPES)[number];

/** The longest window one request may ask for: a year, leap day included. */
export const MAX_WINDOW_DAYS = 366;
/** The window when `from` is not given: this many days before `to`. */
export const DEFAULT_WINDOW_DAYS = 30;

export class AnalyticsQueryDto {
  @ApiPropertyOptional({ format: 'date-time', example: '2026-10-01T00:00:00Z', description: `Start of the window (inclusive): updates requested at or after it. Default: ${DEFAULT_WINDOW_DAYS} days before \`to\`. At most ${MAX_WINDOW_DAYS} days before \`to\`.` })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'End of the window (exclusive). Default: now' })
  @IsOptional()
  @IsTimestamp()
  to?: string;

  @ApiPropertyOptional({ enum: PLATFORMS, description: 'Only this platform (and, for templates, updates sent to it)' })
  @IsOptional()
  @IsIn(PLATFORMS, { message: `platform must be one of: ${PLATFORMS.join(', ')}` })
  platform?: PlatformId;

  @ApiPropertyOptional({ enum: ANALYTICS_SCOPES, default: 'personal', description: '`org`: every member of your organisation (org admins only)' })
  @IsOptional()
  @IsIn(ANALYTICS_SCOPES, { message: `scope must be one of: ${ANALYTICS_SCOPES.join(', ')}` })
  scope?: AnalyticsScope;
}
