import { Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, RequestId } from '../auth/current-user.decorator';
import { OptionalBody } from '../http/optional-body.decorator';
import { problemResponses } from '../http/problem-responses';
import { answerAccepted, IDEMPOTENCY_HEADER } from '../status/accepted-answer';
import { StatusRequestsService } from '../status/status-requests.service';
import { PresetOverridesDto, PresetParamDto } from '../status/status.dto';
import { AcceptedUpdateView } from '../status/status.views';
import { PresetsService } from './presets.service';
import { EffectivePresetView } from './templates.views';

@ApiTags('status')
@ApiBearerAuth()
@Controller('status/presets')
export class PresetsController {
  constructor(
    private readonly presets: PresetsService,
    private readonly requests: StatusRequestsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The presets in effect for me, and where each comes from', description: 'My templates, then my org\'s, then the built-in ones (working, lunch, away, busy); a name is listed once, from the first that has it.' })
  @ApiResponse({ status: 200, type: EffectivePresetView, isArray: true })
  @problemResponses(401)
  list(@CurrentUser() user: AuthUser): Promise<EffectivePresetView[]> {
    return this.presets.effective(user);
  }

  @Post(':name')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Apply a preset by name: my template, else my org\'s, else a built-in one (any case)',
    description: 'Answers exactly like POST /status/update. The optional body overrides message, expiry and platforms.',
  })
  @ApiParam({ name: 'name', example: 'busy', description: 'working, lunch, away, busy, or any template name' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: PresetOverridesDto, required: false, examples: { default: { value: {} }, longerLunch: { value: { message: 'Team lunch', durationMinutes: 90 } } } })
  @ApiResponse({ status: 202, type: AcceptedUpdateView })
  @problemResponses(400, 401, 404, 409, 422, 503)
  async apply(
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string | null,
    @Headers('idempotency-key') keyHeader: string | undefined,
    @Param() params: PresetParamDto,
    @OptionalBody() body: PresetOverridesDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedUpdateView> {
    const request = await this.presets.requestFor(user, params.name, body);
    return answerAccepted(this.requests, request, { user, requestId, keyHeader, fingerprintSource: { route: `presets/${params.name}`, body }, reply });
  }
}
