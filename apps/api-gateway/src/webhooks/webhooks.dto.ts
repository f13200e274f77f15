import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WEBHOOK_EVENTS } from '@statusync/queue';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { toInt } from '../http/query-int';

export const WEBHOOK_SCOPES = ['personal', 'org'] as const;

const EVENTS_DESCRIPTION = `Event types to receive, at least one: ${WEBHOOK_EVENTS.map((event) => `\`${event}\``).join(', ')}`;

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://hooks.example.com/statusync',
    maxLength: 2048,
    description: 'Where events are POSTed. https (http only where ALLOW_PRIVATE_URLS=true or outside production); never a private, loopback or link-local address',
  })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['status.changed', 'sync.failed'], description: EVENTS_DESCRIPTION })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true, message: `each value in events must be one of: ${WEBHOOK_EVENTS.join(', ')}` })
  events: string[];

  @ApiPropertyOptional({ enum: WEBHOOK_SCOPES, default: 'personal', example: 'personal', description: '`org`: every member\'s events, for the org\'s admins only (403 otherwise)' })
  @IsOptional()
  @IsIn(WEBHOOK_SCOPES)
  scope?: (typeof WEBHOOK_SCOPES)[number];

  @ApiPropertyOptional({ example: 'Status board', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/statusync-v2', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENTS, isArray: true, example: ['status.changed'], description: EVENTS_DESCRIPTION })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true, message: `each value in events must be one of: ${WEBHOOK_EVENTS.join(', ')}` })
  events?: string[];

  @ApiPropertyOptional({ example: true, description: '`true` re-enables a disabled endpoint (its failure streak starts over); `false` disables it' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Status board', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

export class WebhookIdParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class WebhookDeliveryParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;

  @IsUUID('all', { message: 'deliveryId must be a UUID' })
  deliveryId: string;
}

export class DeliveriesQueryDto {
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
  @Matches(/^[A-Za-z0-9_-]{1,120}$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}
