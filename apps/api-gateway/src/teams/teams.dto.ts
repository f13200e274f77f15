import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NO_CONTROL_CHARACTERS } from '@statusync/platforms';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export const MAX_AVAILABILITY_PAGE = 200;
const DEFAULT_AVAILABILITY_PAGE = 50;

export class TeamNameDto {
  @ApiProperty({ example: 'Platform team', minLength: 1, maxLength: 64, description: 'Unique in the org, case-insensitively' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Matches(/\S/, { message: 'name must not be blank' })
  @Matches(NO_CONTROL_CHARACTERS, { message: 'name must not contain control characters or line breaks' })
  name: string;
}

export class TeamIdParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class TeamMemberParamDto extends TeamIdParamDto {
  // A JWT `sub` as the gateway accepts it: 1-255 characters, no NUL or unpaired surrogate.
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(/^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/, { message: 'subject must not contain NUL or unpaired surrogates' })
  subject: string;
}

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

export class AvailabilityQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_AVAILABILITY_PAGE, default: DEFAULT_AVAILABILITY_PAGE })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_AVAILABILITY_PAGE)
  limit: number = DEFAULT_AVAILABILITY_PAGE;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}
