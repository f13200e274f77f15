import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, RequestId } from '../auth/current-user.decorator';
import { OptionalBody } from '../http/optional-body.decorator';
import { problemResponses, problemResponsesWith } from '../http/problem-responses';
import { answerAccepted, IDEMPOTENCY_HEADER } from '../status/accepted-answer';
import { StatusRequestsService } from '../status/status-requests.service';
import { PresetOverridesDto } from '../status/status.dto';
import { AcceptedUpdateView } from '../status/status.views';
import { TemplateIdParamDto } from './template-id.dto';
import { CreateTemplateDto, TemplateListQueryDto, UpdateTemplateDto } from './templates.dto';
import { TemplatesService } from './templates.service';
import { TemplateView } from './templates.views';

const ID_PARAM = { name: 'id', format: 'uuid', example: 'b9d7c1e2-4f3a-4c5b-8d6e-7f8091a2b3c4' };
const NAME_TAKEN = {
  409: {
    description: 'Another template of the same scope has this name (compared without case)',
    example: { type: 'https://statusync.dev/problems/template-name-taken', title: 'Conflict', status: 409, detail: 'A personal template with this name already exists', errors: [{ field: 'name', reason: 'already used by another template of this scope' }], requestId: 'req-1' },
  },
};

@ApiTags('templates')
@ApiBearerAuth()
@Controller('status/templates')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly requests: StatusRequestsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a template (personal, or for the whole org as its admin)', description: 'Its name also works as a preset: POST /status/presets/{name}.' })
  @ApiBody({
    type: CreateTemplateDto,
    examples: {
      focus: { value: { name: 'Focus', emoji: '🎧', message: 'Focusing until {until}', limitedAvailability: true, durationMinutes: 90 } },
      orgBusy: { value: { name: 'busy', scope: 'org', emoji: ':no_entry:', message: 'In deep work, back in {duration}', limitedAvailability: true, durationMinutes: 120, overrides: { slack: { emoji: ':party-parrot:' } } } },
      dayOff: { value: { name: 'Day off', emoji: ':palm_tree:', message: 'Off today', until: 'end_of_day', platforms: ['slack'] } },
    },
  })
  @ApiResponse({ status: 201, type: TemplateView })
  @problemResponsesWith(NAME_TAKEN, 400, 401, 403, 409)
  create(@CurrentUser() user: AuthUser, @Body() body: CreateTemplateDto): Promise<TemplateView> {
    return this.templates.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'My templates and my org\'s, each with its scope' })
  @ApiResponse({ status: 200, type: TemplateView, isArray: true })
  @problemResponses(400, 401)
  list(@CurrentUser() user: AuthUser, @Query() query: TemplateListQueryDto): Promise<TemplateView[]> {
    return this.templates.list(user, query.scope);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One template' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: TemplateView })
  @problemResponses(400, 401, 404)
  get(@CurrentUser() user: AuthUser, @Param() params: TemplateIdParamDto): Promise<TemplateView> {
    return this.templates.get(user, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a template', description: 'Only the fields given change; null clears a nullable one; setting durationMinutes clears until and the other way round; overrides are replaced as a whole.' })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: UpdateTemplateDto, examples: { longer: { value: { durationMinutes: 120 } }, rename: { value: { name: 'Deep focus', until: 'end_of_day' } } } })
  @ApiResponse({ status: 200, type: TemplateView })
  @problemResponsesWith(NAME_TAKEN, 400, 401, 403, 404, 409)
  update(@CurrentUser() user: AuthUser, @Param() params: TemplateIdParamDto, @Body() body: UpdateTemplateDto): Promise<TemplateView> {
    return this.templates.update(user, params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a template' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @problemResponses(400, 401, 403, 404)
  remove(@CurrentUser() user: AuthUser, @Param() params: TemplateIdParamDto): Promise<void> {
    return this.templates.remove(user, params.id);
  }

  @Post(':id/apply')
  @HttpCode(202)
  @ApiOperation({ summary: 'Apply a template', description: 'Answers exactly like POST /status/update. Placeholders resolve now, in your zone; the optional body overrides message, expiry and platforms.' })
  @ApiParam(ID_PARAM)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: PresetOverridesDto, required: false, examples: { asIs: { value: {} }, shorter: { value: { durationMinutes: 30, platforms: ['slack'] } } } })
  @ApiResponse({ status: 202, type: AcceptedUpdateView })
  @problemResponses(400, 401, 404, 409, 422, 503)
  async apply(
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string | null,
    @Headers('idempotency-key') keyHeader: string | undefined,
    @Param() params: TemplateIdParamDto,
    @OptionalBody() body: PresetOverridesDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedUpdateView> {
    const request = await this.templates.applicationOf(user, params.id, body);
    return answerAccepted(this.requests, request, { user, requestId, keyHeader, fingerprintSource: { route: `templates/${params.id}/apply`, body }, reply });
  }
}
