import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsTimeZone } from './is-time-zone';
import { WorkingHoursDto } from './working-hours.dto';

export class UpdateMeDto {
  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA zone, checked against the runtime\'s zone list; default UTC' })
  @IsOptional()
  @IsString()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ type: WorkingHoursDto, nullable: true, description: 'Per weekday, local times; null removes them' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkingHoursDto)
  workingHours?: WorkingHoursDto | null;
}

export class MeView {
  @ApiProperty({ example: 'alice', description: 'The JWT `sub`' })
  subject: string;

  @ApiProperty({ type: String, nullable: true, example: 'acme', description: 'The JWT `org_id`' })
  orgId: string | null;

  @ApiProperty({ enum: ['member', 'admin'], example: 'member', description: 'The JWT `role` in that org' })
  role: string;

  @ApiProperty({ example: 'Europe/Berlin' })
  timeZone: string;

  @ApiProperty({ type: WorkingHoursDto, nullable: true, example: { mon: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '13:00' }] } })
  workingHours: WorkingHoursDto | null;
}
