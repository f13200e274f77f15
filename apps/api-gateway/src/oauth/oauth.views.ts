import { ApiProperty } from '@nestjs/swagger';
import { PLATFORMS } from '@statusync/platforms';

/** Where to send the person's browser to approve the connection. */
export class OAuthAuthorizeView {
  @ApiProperty({ enum: PLATFORMS, example: 'github' })
  platform: string;

  @ApiProperty({
    description: "The provider's authorize URL with a signed, single-use `state`. Open it in the person's browser; the provider sends it back to the callback.",
    example: 'https://github.com/login/oauth/authorize?client_id=Iv1.0123456789abcdef&redirect_uri=https%3A%2F%2Fstatusync.example.com%2Fapi%2Fv1%2Foauth%2Fgithub%2Fcallback&scope=user&state=…&code_challenge=…&code_challenge_method=S256&allow_signup=false',
  })
  authorizeUrl: string;

  @ApiProperty({ format: 'date-time', description: 'The state (and so this URL) stops working at this time; ask for a new one after.', example: '2026-11-24T10:10:00.000Z' })
  expiresAt: string;
}
