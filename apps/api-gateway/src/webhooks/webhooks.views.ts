import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENTS } from '@statusync/queue';

export class WebhookView {
  @ApiProperty({ example: 'a1b2c3d4-0000-4000-8000-00000000e001' })
  id: string;

  @ApiProperty({ example: 'https://hooks.example.com/statusync' })
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['status.changed', 'sync.failed'] })
  events: string[];

  @ApiProperty({ enum: ['personal', 'org'], example: 'personal' })
  scope: string;

  @ApiProperty({ type: String, nullable: true, example: 'Status board' })
  description: string | null;

  @ApiProperty({ enum: ['active', 'disabled'], example: 'active', description: '`disabled`: nothing is sent; see disabledReason. PATCH `enabled: true` to resume' })
  state: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it was disabled (410 Gone, failing for days, or by you)' })
  disabledReason: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, format: 'date-time' })
  disabledAt: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, format: 'date-time', description: 'Since when every attempt failed (null while healthy)' })
  failingSince: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, format: 'date-time', description: 'During a rotation: until when the previous secret still signs' })
  previousSecretExpiresAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class WebhookWithSecretView extends WebhookView {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'The signing secret (Standard Webhooks). Shown in this answer only: store it now' })
  secret: string;
}

export class WebhookAttemptView {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 503, description: 'The HTTP status; null when no answer came (see error)' })
  status: number | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the attempt failed without an HTTP answer, or `redirect not followed`' })
  error: string | null;

  @ApiProperty({ type: 'integer', example: 120 })
  durationMs: number;
}

export class WebhookDeliveryView {
  @ApiProperty({ example: 'b2c3d4e5-0000-4000-8000-00000000d001', description: 'Also the `webhook-id` header: the same on every retry and replay' })
  id: string;

  @ApiProperty({ enum: [...WEBHOOK_EVENTS, 'webhook.test'], example: 'status.changed' })
  eventType: string;

  @ApiProperty({ enum: ['pending', 'succeeded', 'failed', 'disabled'], example: 'succeeded', description: '`failed`: every retry failed; `disabled`: the endpoint was disabled first' })
  state: string;

  @ApiProperty({ type: WebhookAttemptView, isArray: true })
  attempts: WebhookAttemptView[];

  @ApiProperty({ type: String, nullable: true, example: null, format: 'date-time', description: 'When the next attempt is due (pending only)' })
  nextAttemptAt: string | null;

  @ApiProperty({ type: 'integer', example: 0, description: 'How often it was replayed' })
  replays: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, nullable: true, example: null, format: 'date-time' })
  completedAt: string | null;
}

export class WebhookDeliveryPageView {
  @ApiProperty({ type: WebhookDeliveryView, isArray: true })
  items: WebhookDeliveryView[];

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Pass as `cursor` for the next (older) page; null at the end' })
  nextCursor: string | null;
}

export class WebhookDeliveryQueuedView {
  @ApiProperty({ example: 'b2c3d4e5-0000-4000-8000-00000000d001' })
  deliveryId: string;
}
