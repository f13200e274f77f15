import { ApiProperty } from '@nestjs/swagger';
import { PLATFORMS, PlatformId } from '@statusync/platforms';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class ConnectPlatformDto {
  @ApiProperty({ enum: PLATFORMS, example: 'github' })
  @IsIn(PLATFORMS, { message: `platform must be one of: ${PLATFORMS.join(', ')}` })
  platform: PlatformId;

  @ApiProperty({
    description: 'A GitHub classic token with the `user` scope, or a Slack user token (xoxp-) with `users.profile:write`. Stored encrypted, never returned.',
    example: 'ghp_exampleexampleexampleexample',
    writeOnly: true,
  })
  @IsString()
  @MinLength(8)
  @MaxLength(512)
  @Matches(/^[\x21-\x7e]+$/, { message: 'token must be printable ASCII without spaces' })
  token: string;
}

export class PlatformConfigView {
  @ApiProperty({ enum: PLATFORMS, example: 'github' })
  platform: string;

  @ApiProperty({ example: 'octocat', description: 'The account the token belongs to' })
  accountName: string;

  @ApiProperty({ enum: ['active', 'reauth_required'], example: 'active' })
  state: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the platform needs re-authorisation' })
  reauthReason: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:00.000Z' })
  connectedAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:00.000Z' })
  updatedAt: string;
}

export class PlatformPathDto {
  @IsIn(PLATFORMS, { message: `platform must be one of: ${PLATFORMS.join(', ')}` })
  platform: PlatformId;
}
