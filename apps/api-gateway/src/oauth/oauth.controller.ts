import { applyDecorators, Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PLATFORMS } from '@statusync/platforms';
import type { FastifyRequest } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, RequestId } from '../auth/current-user.decorator';
import { OptionalAuth } from '../auth/optional-auth.decorator';
import { problemResponses } from '../http/problem-responses';
import { PlatformConfigView, PlatformPathDto } from '../platform-config/platform-config.dto';
import { parseCallbackQuery } from './callback-query';
import { OAuthConnectService } from './oauth-connect.service';
import { OAuthAuthorizeView } from './oauth.views';

const problem = (status: number, description: string, example: object) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' }, example: { status, requestId: 'req-1', ...example } } } });

const NOT_CONFIGURED = problem(404, 'OAuth is not configured for this platform (no client id and secret): paste a token instead', {
  type: 'https://statusync.dev/problems/not-configured',
  title: 'Not configured',
  detail: 'Connecting slack with OAuth is not configured on this server; paste a token at POST /api/v1/config/platforms',
});

const PLATFORM_PARAM = ApiParam({ name: 'platform', enum: PLATFORMS, example: 'github' });

const CALLBACK_DOCS = applyDecorators(
  ApiQuery({ name: 'code', required: false, description: "The provider's one-time code", example: '5f2c1b0e9d8a7c6b5a4f' }),
  ApiQuery({ name: 'state', required: true, description: 'The state from the authorize URL, echoed by the provider', example: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.j7k8l9z0x1c2v3b4n5m6q7w8e9r0t1y2u3i4o5p6a7s' }),
  ApiQuery({ name: 'error', required: false, description: 'Set by the provider instead of `code` when the person declined or the request was refused', example: 'access_denied' }),
  problem(400, 'The state is missing, forged, expired, already used or was issued to another user; nothing is stored', {
    type: 'https://statusync.dev/problems/invalid-state',
    title: 'Invalid OAuth state',
    detail: 'The OAuth state was refused: state has expired or was already used; start the connection again',
    errors: [{ field: 'state', reason: 'state has expired or was already used; start the connection again' }],
  }),
  problem(422, "The provider refused the code or the person declined; `platformError` is the provider's code; nothing is stored", {
    type: 'https://statusync.dev/problems/oauth-refused',
    title: 'Authorisation refused by the platform',
    detail: 'github refused the authorisation: bad_verification_code',
    errors: [{ field: 'code', reason: 'github answered bad_verification_code' }],
    platform: 'github',
    platformError: 'bad_verification_code',
  }),
);

@ApiTags('platforms')
@Controller('oauth')
export class OAuthController {
  constructor(private readonly connect: OAuthConnectService) {}

  @Get(':platform/authorize')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Start connecting a platform with OAuth',
    description:
      "Answers the provider's authorize URL, with a signed state bound to you that works once and for 10 minutes. Open it in a browser; " +
      'after approval the provider redirects to `/api/v1/oauth/{platform}/callback`, which stores the token. GitHub asks for the `user` scope ' +
      '(with PKCE), Slack for a user token with `users.profile:write` and `users.profile:read`.',
  })
  @PLATFORM_PARAM
  @ApiResponse({ status: 200, type: OAuthAuthorizeView })
  @NOT_CONFIGURED
  @problemResponses(400, 401, 503)
  authorize(@CurrentUser() user: AuthUser, @Param() params: PlatformPathDto): Promise<OAuthAuthorizeView> {
    return this.connect.start(user, params.platform);
  }

  @Get(':platform/callback')
  @OptionalAuth()
  // Either no security at all (the browser) or a bearer JWT: OpenAPI's way of saying "optional".
  @ApiSecurity({})
  @ApiBearerAuth()
  @ApiOperation({
    summary: "The provider's redirect back: finish connecting",
    description:
      'Called by the browser coming back from the provider, so no JWT is needed: the state says whose connection it is (a JWT, if sent, must ' +
      'belong to that user). Exchanges the code, stores the token encrypted (and a rotating refresh token) and answers like `POST /config/platforms`. ' +
      'Tokens are never returned.',
  })
  @PLATFORM_PARAM
  @CALLBACK_DOCS
  @ApiResponse({ status: 200, type: PlatformConfigView, description: 'Connected' })
  @NOT_CONFIGURED
  @problemResponses(401, 503)
  callback(
    @Param() params: PlatformPathDto,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest & { user?: AuthUser },
    @RequestId() requestId: string | null,
  ): Promise<PlatformConfigView> {
    return this.connect.complete(params.platform, parseCallbackQuery(query), request.user ?? null, requestId);
  }
}
