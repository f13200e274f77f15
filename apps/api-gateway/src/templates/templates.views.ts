import { ApiProperty } from '@nestjs/swagger';

export class TemplateView {
  @ApiProperty({ example: 'b9d7c1e2-4f3a-4c5b-8d6e-7f8091a2b3c4' })
  id: string;

  @ApiProperty({ example: 'Focus' })
  name: string;

  @ApiProperty({ enum: ['personal', 'org'], example: 'personal' })
  scope: string;

  @ApiProperty({ type: String, nullable: true, example: '🎧' })
  emoji: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Focusing until {until}' })
  message: string | null;

  @ApiProperty({ example: true })
  limitedAvailability: boolean;

  @ApiProperty({ type: 'integer', nullable: true, example: 90 })
  durationMinutes: number | null;

  @ApiProperty({ enum: ['end_of_day'], nullable: true, example: null })
  until: string | null;

  @ApiProperty({ type: 'string', isArray: true, nullable: true, example: null, description: 'null = every configured platform' })
  platforms: string[] | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'object', properties: { emoji: { type: 'string' }, message: { type: 'string' } } }, example: { slack: { emoji: ':party-parrot:' } } })
  overrides: Record<string, { emoji?: string; message?: string }>;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:00.000Z' })
  updatedAt: string;
}

export class EffectivePresetView {
  @ApiProperty({ example: 'busy', description: 'Apply with POST /status/presets/{name} (any case)' })
  name: string;

  @ApiProperty({ enum: ['personal', 'org', 'builtin'], example: 'org', description: 'Where it comes from: your template, your org\'s, or built in' })
  source: string;

  @ApiProperty({ type: String, nullable: true, example: 'b9d7c1e2-4f3a-4c5b-8d6e-7f8091a2b3c4', description: 'The template, unless built in' })
  templateId: string | null;

  @ApiProperty({ type: String, nullable: true, example: ':no_entry:' })
  emoji: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Busy, focusing' })
  message: string | null;

  @ApiProperty({ example: true })
  limitedAvailability: boolean;

  @ApiProperty({ type: 'integer', nullable: true, example: 60 })
  durationMinutes: number | null;

  @ApiProperty({ enum: ['end_of_day'], nullable: true, example: null })
  until: string | null;

  @ApiProperty({ type: 'string', isArray: true, nullable: true, example: null })
  platforms: string[] | null;
}
