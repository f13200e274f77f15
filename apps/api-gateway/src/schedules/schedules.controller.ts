import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { timestampExample } from '../http/openapi-timestamps';
import { problemResponses } from '../http/problem-responses';
import { CreateScheduleDto, OccurrencesQueryDto, ScheduleIdParamDto } from './schedules.dto';
import { SchedulesService } from './schedules.service';
import { OccurrencesView, ScheduleView } from './schedules.views';

const ID_PARAM = { name: 'id', format: 'uuid', example: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f' };

@ApiTags('schedules')
@ApiBearerAuth()
@Controller('status/schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @ApiOperation({
    summary: 'Schedule a status (once, or repeating with an RRULE)',
    description:
      'At each start the status is set on the platforms (an ordinary update with source `schedule`); at each end the status each platform showed before comes back, with its own expiry if that is still ahead — unless you changed your status during the span, then yours stays. Touching or overlapping spans (schedules and calendar meetings) are one span: nothing is restored and re-set in between. A repeating rule runs in `timeZone` (default: yours), so 12:00 stays 12:00 local across DST.',
  })
  @ApiBody({
    type: CreateScheduleDto,
    examples: {
      once: { value: { startsAt: timestampExample(1), endsAt: timestampExample(2), status: { emoji: ':tooth:', message: 'At the dentist', limitedAvailability: true } } },
      weekdayLunch: {
        value: { startsAt: timestampExample(24), endsAt: timestampExample(25), rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', timeZone: 'Europe/Berlin', status: { emoji: ':sandwich:', message: 'Lunch', platforms: ['slack'] } },
      },
    },
  })
  @ApiResponse({ status: 201, type: ScheduleView })
  @problemResponses(400, 401)
  create(@CurrentUser() user: AuthUser, @Body() body: CreateScheduleDto): Promise<ScheduleView> {
    return this.schedules.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'My schedules (not deleted), each with its next occurrences' })
  @ApiResponse({ status: 200, type: ScheduleView, isArray: true })
  @problemResponses(401)
  list(@CurrentUser() user: AuthUser): Promise<ScheduleView[]> {
    return this.schedules.list(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One schedule' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: ScheduleView })
  @problemResponses(400, 401, 404)
  get(@CurrentUser() user: AuthUser, @Param() params: ScheduleIdParamDto): Promise<ScheduleView> {
    return this.schedules.get(user, params.id);
  }

  @Get(':id/occurrences')
  @ApiOperation({ summary: 'Preview the occurrences in a window', description: 'At most 500 per answer (`truncated` says when there are more); the window may span at most 366 days.' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: OccurrencesView })
  @problemResponses(400, 401, 404)
  occurrences(@CurrentUser() user: AuthUser, @Param() params: ScheduleIdParamDto, @Query() query: OccurrencesQueryDto): Promise<OccurrencesView> {
    return this.schedules.occurrences(user, params.id, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a schedule', description: 'Future occurrences never fire; one running now ends at once and the previous status comes back.' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @problemResponses(400, 401, 404)
  async delete(@CurrentUser() user: AuthUser, @Param() params: ScheduleIdParamDto): Promise<void> {
    await this.schedules.delete(user, params.id);
  }
}
