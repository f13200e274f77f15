import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** Text a JWT claim may carry as the gateway accepts it: no NUL, no unpaired surrogate (see jwt.strategy.ts). */
const STORABLE_TEXT = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

export class DevTokenDto {
  @ApiProperty({ example: 'alice', minLength: 1, maxLength: 255, description: 'The JWT `sub`: who to be' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(/\S/, { message: 'subject must not be blank' })
  @Matches(STORABLE_TEXT, { message: 'subject must not contain NUL or unpaired surrogates' })
  subject: string;

  @ApiPropertyOptional({ example: 'acme', minLength: 1, maxLength: 255, description: 'The `org_id` claim; leave out for a user without an org' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(STORABLE_TEXT, { message: 'orgId must not contain NUL or unpaired surrogates' })
  orgId?: string;

  @ApiPropertyOptional({ enum: ['member', 'admin'], default: 'member', description: 'The `role` claim (admin of that org)' })
  @IsOptional()
  @IsIn(['member', 'admin'], { message: "role must be 'member' or 'admin'" })
  role?: 'member' | 'admin';
}

export class DevTokenView {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl', description: 'A bearer JWT signed with JWT_SECRET' })
  token: string;

  @ApiProperty({ example: 'alice' })
  subject: string;

  @ApiProperty({ type: String, nullable: true, example: 'acme' })
  orgId: string | null;

  @ApiProperty({ enum: ['member', 'admin'], example: 'member' })
  role: 'member' | 'admin';

  @ApiProperty({ example: 3600, description: 'Lifetime in seconds' })
  expiresInSeconds: number;
}
