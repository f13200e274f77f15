import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PlatformAvailabilityView {
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed', 'superseded', 'none'], description: 'The latest delivery to this platform; `none` before any' })
  state: 'pending' | 'succeeded' | 'failed' | 'superseded' | 'none';

  @ApiProperty({ type: String, nullable: true, example: ':spiral_calendar_pad:', description: 'What the platform shows (its last answer; else what we last applied)' })
  emoji: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'In a meeting' })
  message: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the platform itself last confirmed it (receipt or read-back); null if never' })
  confirmedAt: string | null;
}

export class MemberAvailabilityView {
  @ApiProperty({ example: 'auth0|alice' })
  subject: string;

  @ApiProperty({ enum: ['available', 'limited', 'busy', 'away', 'unknown'], example: 'busy' })
  availability: 'available' | 'limited' | 'busy' | 'away' | 'unknown';

  @ApiProperty({ type: String, nullable: true, example: ':spiral_calendar_pad:' })
  emoji: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'In a meeting' })
  message: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the status in force expires' })
  until: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['manual', 'preset', 'template', 'schedule', 'calendar'], example: 'calendar' })
  source: 'manual' | 'preset' | 'template' | 'schedule' | 'calendar' | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/PlatformAvailabilityView' },
    example: { github: { state: 'succeeded', emoji: ':spiral_calendar_pad:', message: 'In a meeting', confirmedAt: '2026-11-24T14:00:02Z' } },
  })
  platforms: Record<string, PlatformAvailabilityView>;

  @ApiProperty({ description: 'Whether every connected platform shows what the latest update asked of it' })
  agree: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T15:04:05+01:00', description: "Now on the member's wall clock" })
  localTime: string;

  @ApiProperty({ example: 'Europe/Berlin' })
  timeZone: string;
}

export class AvailabilityPageView {
  @ApiProperty({ type: MemberAvailabilityView, isArray: true })
  items: MemberAvailabilityView[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  nextCursor: string | null;
}
