import { ApiProperty } from '@nestjs/swagger';

export class PlatformAnalyticsView {
  @ApiProperty({ example: 42, description: 'Updates sent to this platform in the window; each counts once, whatever its retries' })
  attempted: number;

  @ApiProperty({ example: 39 })
  succeeded: number;

  @ApiProperty({ example: 1, description: 'A newer update reached the platform first' })
  superseded: number;

  @ApiProperty({ example: 2 })
  failed: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { token_revoked: 1, http_500: 1 }, description: "Failed updates by the platform's error code" })
  failedByCode: Record<string, number>;

  @ApiProperty({ example: 5, description: 'Attempts that failed for a passing reason (rate limit, outage) and were tried again' })
  retries: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 180, description: 'Median time from request to applied on the platform, over succeeded updates; null when none' })
  p50Ms: number | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 2400 })
  p95Ms: number | null;
}

export class TemplateUsesView {
  @ApiProperty({ example: 'lunch', description: 'The template or preset name at the time it was applied' })
  name: string;

  @ApiProperty({ example: 12 })
  uses: number;
}

const platformExample = { attempted: 42, succeeded: 39, superseded: 1, failed: 2, failedByCode: { http_500: 1, token_revoked: 1 }, retries: 5, p50Ms: 180, p95Ms: 2400 };

export class AnalyticsView {
  @ApiProperty({ format: 'date-time', example: '2026-10-01T00:00:00.000Z' })
  from: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-01T00:00:00.000Z' })
  to: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/PlatformAnalyticsView' },
    example: { github: platformExample, slack: { ...platformExample, attempted: 40, failed: 0, failedByCode: {}, retries: 2 } },
    description: 'Every platform (only the one asked for with `platform`)',
  })
  platforms: Record<string, PlatformAnalyticsView>;

  @ApiProperty({ type: TemplateUsesView, isArray: true, description: 'Most used templates and presets first (at most 20)' })
  templates: TemplateUsesView[];
}
