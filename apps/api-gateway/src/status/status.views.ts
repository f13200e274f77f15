import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class DeliveryView {
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed', 'superseded'], example: 'succeeded', description: '`superseded`: a newer update reached the platform first' })
  state: string;

  @ApiProperty({ example: 1 })
  attempts: number;

  @ApiProperty({ type: String, nullable: true, example: null, description: "The platform's error code when it failed, e.g. `token_revoked`" })
  errorCode: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  errorMessage: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true, example: '2026-11-24T10:00:01.120Z' })
  completedAt: string | null;
}

const deliveriesProperty = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(DeliveryView) },
  example: { github: { state: 'succeeded', attempts: 1, errorCode: null, errorMessage: null, completedAt: '2026-11-24T10:00:01.120Z' } },
} as const;

export class AcceptedUpdateView {
  @ApiProperty({ example: 'a3c6f2de-8f43-4a7e-9e43-2f3d0f1b7c11' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:00.000Z' })
  requestedAt: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'object', properties: { state: { type: 'string', enum: ['pending'] } } }, example: { github: { state: 'pending' }, slack: { state: 'pending' } } })
  platforms: Record<string, { state: 'pending' }>;

  @ApiProperty({ example: '/api/v1/status/updates/a3c6f2de-8f43-4a7e-9e43-2f3d0f1b7c11', description: 'Where to follow the outcome' })
  statusUrl: string;
}

export class StatusUpdateView {
  @ApiProperty({ example: 'a3c6f2de-8f43-4a7e-9e43-2f3d0f1b7c11' })
  id: string;

  @ApiProperty({ enum: ['set', 'clear'], example: 'set' })
  kind: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'The preset it came from' })
  preset: string | null;

  @ApiProperty({ type: String, nullable: true, example: ':spiral_calendar_pad:' })
  emoji: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'In a meeting' })
  message: string | null;

  @ApiProperty({ example: true })
  limitedAvailability: boolean;

  @ApiProperty({ format: 'date-time', type: String, nullable: true, example: '2026-11-24T11:00:00.000Z' })
  expiresAt: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:00.000Z' })
  requestedAt: string;

  @ApiProperty({ enum: ['pending', 'succeeded', 'partially_failed', 'failed'], example: 'succeeded' })
  state: string;

  @ApiProperty(deliveriesProperty)
  platforms: Record<string, DeliveryView>;
}

export class AppliedStatusView {
  @ApiProperty({ example: 'a3c6f2de-8f43-4a7e-9e43-2f3d0f1b7c11' })
  updateId: string;

  @ApiProperty({ enum: ['set', 'clear'] })
  kind: string;

  @ApiProperty({ type: String, nullable: true, example: ':spiral_calendar_pad:' })
  emoji: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'In a meeting' })
  message: string | null;

  @ApiProperty({ example: true })
  limitedAvailability: boolean;

  @ApiProperty({ format: 'date-time', type: String, nullable: true, example: '2026-11-24T11:00:00.000Z' })
  expiresAt: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:01.120Z' })
  appliedAt: string;
}

export class PlatformCurrentView {
  @ApiProperty({ example: 'octocat' })
  accountName: string;

  @ApiProperty({ enum: ['active', 'reauth_required'] })
  connection: string;

  @ApiProperty({ type: AppliedStatusView, nullable: true, description: 'What was last applied on this platform' })
  applied: AppliedStatusView | null;
}

export class CurrentStatusView {
  @ApiProperty({ type: StatusUpdateView, nullable: true, description: 'The status last requested' })
  requested: StatusUpdateView | null;

  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(PlatformCurrentView) } })
  platforms: Record<string, PlatformCurrentView>;
}

export class HistoryPageView {
  @ApiProperty({ type: StatusUpdateView, isArray: true })
  items: StatusUpdateView[];

  @ApiPropertyOptional({ type: String, nullable: true, example: 'MTIz', description: 'Pass as `cursor` for the next (older) page; null at the end' })
  nextCursor: string | null;
}
