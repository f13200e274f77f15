import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { RequestId } from '../auth/current-user.decorator';
import { OptionalAuth } from '../auth/optional-auth.decorator';
import { problemResponses, problemResponsesWith } from '../http/problem-responses';
import { parseCallbackQuery } from '../oauth/callback-query';
import { CalendarConnectService } from './calendar-connect.service';
import { CalendarProviderParamDto } from './calendars.dto';
import { CalendarView } from './calendars.views';

const REFUSALS = {
  400: {
    description: 'The state is missing, forged, expired, already used or was issued to another user; nothing is stored',
    example: {
      type: 'https://statusync.dev/problems/invalid-state',
      title: 'Invalid OAuth state',
      status: 400,
      detail: 'The OAuth state was refused: state has expired or was already used; start the connection again',
      errors: [{ field: 'state', reason: 'state has expired or was already used; start the connection again' }],
      requestId: 'req-1',
    },
  },
  422: {
    description:
      "The person declined, the provider refused the code, or granted no calendar access / no offline access (`oauth-refused`, `platformError` is the provider's code); or this server has no app for the provider (`not-configured`, naming `type`). Nothing is stored",
    example: {
      type: 'https://statusync.dev/problems/oauth-refused',
      title: 'Authorisation refused by the platform',
      status: 422,
      detail: 'Google refused the authorisation: access_denied',
      errors: [{ field: 'code', reason: 'google answered access_denied' }],
      platform: 'google',
      platformError: 'access_denied',
      requestId: 'req-1',
    },
  },
};

@ApiTags('calendars')
@Controller('oauth/calendars')
export class CalendarOAuthController {
  constructor(private readonly connect: CalendarConnectService) {}

  @Get(':type/callback')
  @OptionalAuth()
  // Either no security at all (the browser) or a bearer JWT: OpenAPI's way of saying "optional".
  @ApiSecurity({})
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Google / Microsoft's redirect back: finish connecting a calendar",
    description:
      'Called by the browser coming back from the provider, so no JWT is needed: the state says whose calendar it is (a JWT, if sent, must belong to ' +
      'that user). Exchanges the code (PKCE), checks that calendar access and offline access were granted, stores the tokens encrypted and reads the ' +
      'calendar at once. Tokens are never returned. Register `<OAUTH_REDIRECT_BASE_URL>/api/v1/oauth/calendars/{type}/callback` with the provider.',
  })
  @ApiParam({ name: 'type', enum: ['google', 'microsoft'], example: 'google' })
  @ApiQuery({ name: 'code', required: false, description: "The provider's one-time code", example: '4/0AbCdEfGhIjKlMnOpQrStUvWxYz' })
  @ApiQuery({ name: 'state', required: true, description: 'The state from the authorize URL, echoed by the provider', example: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.j7k8l9z0x1c2v3b4n5m6q7w8e9r0t1y2u3i4o5p6a7s' })
  @ApiQuery({ name: 'error', required: false, description: 'Set by the provider instead of `code` when the person declined or the request was refused', example: 'access_denied' })
  @ApiResponse({ status: 200, type: CalendarView, description: 'Connected; the calendar is `pending` until its first read' })
  @problemResponsesWith(REFUSALS, 400, 422)
  @problemResponses(401, 404, 503)
  callback(
    @Param() params: CalendarProviderParamDto,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest & { user?: AuthUser },
    @RequestId() requestId: string | null,
  ): Promise<CalendarView> {
    return this.connect.complete(params.type, parseCallbackQuery(query), request.user ?? null, requestId);
  }
}
