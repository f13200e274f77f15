import { Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, RequestId } from '../auth/current-user.decorator';
import { timestampExample } from '../http/openapi-timestamps';
import { OptionalBody } from '../http/optional-body.decorator';
import { problemResponses } from '../http/problem-responses';
import { answerAccepted, IDEMPOTENCY_HEADER } from './accepted-answer';
import { StatusRequestsService } from './status-requests.service';
import { StatusQueriesService } from './status-queries.service';
import { StatusRequest } from './status-request';
import { StatusRequests } from './status-request.factory';
import { ClearStatusDto, HistoryQueryDto, StatusUpdateDto, UpdateIdParamDto } from './status.dto';
import { AcceptedUpdateView, CurrentStatusView, DeliveryView, HistoryPageView, PlatformCurrentView, StatusUpdateView } from './status.views';

@ApiTags('status')
@ApiBearerAuth()
@ApiExtraModels(DeliveryView, PlatformCurrentView)
@Controller('status')
export class StatusController {
  constructor(
    private readonly requests: StatusRequestsService,
    private readonly queries: StatusQueriesService,
  ) {}

  @Post('update')
  @HttpCode(202)
  @ApiOperation({ summary: 'Set a status on every configured platform (or the ones named)', description: 'Validated against the strictest platform limits, recorded, and one job per platform enqueued. Follow the outcome at `statusUrl`.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: StatusUpdateDto, examples: { meeting: { value: { emoji: ':spiral_calendar_pad:', message: 'In a meeting', limitedAvailability: true, expiresAt: timestampExample(2) } }, slackOnly: { value: { emoji: ':coffee:', message: 'Coffee', durationMinutes: 15, platforms: ['slack'] } } } })
  @ApiResponse({ status: 202, type: AcceptedUpdateView })
  @problemResponses(400, 401, 409, 422, 503)
  update(
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string | null,
    @Headers('idempotency-key') key: string | undefined,
    @OptionalBody() body: StatusUpdateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedUpdateView> {
    return this.accept(StatusRequests.update(body), user, requestId, key, { route: 'update', body }, reply);
  }

  @Post('clear')
  @HttpCode(202)
  @ApiOperation({ summary: 'Clear the status on every configured platform (or the ones named)' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: ClearStatusDto, required: false, examples: { everywhere: { value: {} }, githubOnly: { value: { platforms: ['github'] } } } })
  @ApiResponse({ status: 202, type: AcceptedUpdateView })
  @problemResponses(400, 401, 409, 422, 503)
  clear(
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string | null,
    @Headers('idempotency-key') key: string | undefined,
    @OptionalBody() body: ClearStatusDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedUpdateView> {
    return this.accept(StatusRequests.clear(body), user, requestId, key, { route: 'clear', body }, reply);
  }

  @Get('updates/:id')
  @ApiOperation({ summary: 'The outcome of one update, per platform' })
  // Declared by hand: a DTO bound with @Param() does not show in the document, and clients generate code from it.
  @ApiParam({ name: 'id', format: 'uuid', description: 'The `id` of the 202 answer', example: 'a3c6f2de-8f43-4a7e-9e43-2f3d0f1b7c11' })
  @ApiResponse({ status: 200, type: StatusUpdateView })
  @problemResponses(400, 401, 404)
  findUpdate(@CurrentUser() user: AuthUser, @Param() params: UpdateIdParamDto): Promise<StatusUpdateView> {
    return this.queries.findUpdate(user.id, params.id);
  }

  @Get('current')
  @ApiOperation({ summary: 'The status last requested, and per platform what was last applied' })
  @ApiResponse({ status: 200, type: CurrentStatusView })
  @problemResponses(401)
  current(@CurrentUser() user: AuthUser): Promise<CurrentStatusView> {
    return this.queries.current(user.id);
  }

  @Get('history')
  @ApiOperation({ summary: 'Past updates, newest first, cursor-paginated', description: 'Filter by platform and by a [from, to) time range; pass `nextCursor` as `cursor` for the next page.' })
  @ApiResponse({ status: 200, type: HistoryPageView })
  @problemResponses(400, 401)
  history(@CurrentUser() user: AuthUser, @Query() query: HistoryQueryDto): Promise<HistoryPageView> {
    return this.queries.history(user.id, query);
  }

  private accept(request: StatusRequest, user: AuthUser, requestId: string | null, keyHeader: string | undefined, fingerprintSource: unknown, reply: FastifyReply) {
    return answerAccepted(this.requests, request, { user, requestId, keyHeader, fingerprintSource, reply });
  }
}
