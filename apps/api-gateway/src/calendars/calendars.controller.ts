import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { problemResponses, problemResponsesWith } from '../http/problem-responses';
import { CalendarIdParamDto, CreateCalendarDto, PreviewQueryDto, UpdateCalendarDto } from './calendars.dto';
import { CalendarsService } from './calendars.service';
import { CalendarAuthorizeView, CalendarCreatedView, CalendarPreviewView, CalendarView } from './calendars.views';

const ID_PARAM = { name: 'id', format: 'uuid', example: 'c0ffee00-4f3a-4c5b-8d6e-7f8091a2b3c4' };
const UNREADABLE = {
  422: {
    description: 'The feed could not be read or used now (gone, not iCalendar, too big, unreachable); detail says why',
    example: { type: 'https://statusync.dev/problems/calendar-unreadable', title: 'Calendar not readable', status: 422, detail: 'the feed answered 404: the link was probably reset or unpublished; connect the calendar again with its new address', requestId: 'req-1' },
  },
};
const NOT_CONFIGURED = {
  422: {
    description: 'Google/Microsoft: this server has no OAuth app for the provider (its client id and secret are not set); `errors` names `type`',
    example: {
      type: 'https://statusync.dev/problems/not-configured',
      title: 'Not configured',
      status: 422,
      detail: 'Google calendars are not configured on this server (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are not set); connect an ICS feed address instead',
      errors: [{ field: 'type', reason: 'google calendars are not configured on this server' }],
      requestId: 'req-1',
    },
  },
};
const RULES_NOTE =
  'An event counts when it is opaque, not cancelled, not tentative and not declined by the owner (ownerEmail); an unanswered invitation counts. ' +
  'All-day and working-location events are ignored unless includeAllDay. Titles are hidden unless includeTitles, and never shown for private events.';

@ApiTags('calendars')
@ApiBearerAuth()
@Controller('config/calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  @Post()
  @ApiOperation({
    summary: 'Connect a calendar: an ICS feed address, or a Google / Microsoft calendar through OAuth',
    description:
      'ICS: the calendar is read at once, then every few minutes. Google/Microsoft: the calendar is created `connecting` and the answer carries ' +
      "`authorizeUrl`; open it in the person's browser, the provider redirects to `/api/v1/oauth/calendars/{type}/callback`, which stores the tokens " +
      `(Google \`calendar.readonly\`, Microsoft \`Calendars.Read offline_access\`) and reads the calendar at once. ${RULES_NOTE}`,
  })
  @ApiBody({
    type: CreateCalendarDto,
    examples: {
      ics: { value: { type: 'ics', url: 'https://calendar.example.com/ical/secret-token/basic.ics' } },
      icsWithOwner: { value: { type: 'ics', url: 'https://outlook.example.com/owa/calendar/abc/reachcalendar.ics', ownerEmail: 'ada@example.com', rules: { includeTitles: true } } },
      google: { value: { type: 'google' } },
      microsoft: { value: { type: 'microsoft', rules: { kinds: ['out_of_office', 'meeting'] } } },
    },
  })
  @ApiResponse({ status: 201, type: CalendarCreatedView })
  @problemResponsesWith(NOT_CONFIGURED, 400, 401, 422)
  create(@CurrentUser() user: AuthUser, @Body() body: CreateCalendarDto): Promise<CalendarCreatedView> {
    return this.calendars.create(user, body);
  }

  @Post(':id/authorize')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new authorize URL for a Google / Microsoft calendar',
    description: 'To finish a connection whose URL expired, or to reconnect a calendar that is `broken` because the provider no longer accepts our access. The calendar keeps its id and rules.',
  })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: CalendarAuthorizeView })
  @problemResponsesWith(NOT_CONFIGURED, 400, 401, 404, 422)
  authorize(@CurrentUser() user: AuthUser, @Param() params: CalendarIdParamDto): Promise<CalendarAuthorizeView> {
    return this.calendars.authorize(user, params.id);
  }

  @Get()
  @ApiOperation({ summary: 'My calendars, with their state, last and next read and last error' })
  @ApiResponse({ status: 200, type: CalendarView, isArray: true })
  @problemResponses(401)
  list(@CurrentUser() user: AuthUser): Promise<CalendarView[]> {
    return this.calendars.list(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One calendar' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: CalendarView })
  @problemResponses(400, 401, 404)
  get(@CurrentUser() user: AuthUser, @Param() params: CalendarIdParamDto): Promise<CalendarView> {
    return this.calendars.get(user, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a calendar\'s rules or owner address', description: RULES_NOTE })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: UpdateCalendarDto, examples: { titles: { value: { rules: { includeTitles: true } } }, allDay: { value: { rules: { includeAllDay: true, kinds: ['out_of_office', 'meeting'] } } } } })
  @ApiResponse({ status: 200, type: CalendarView })
  @problemResponses(400, 401, 404)
  update(@CurrentUser() user: AuthUser, @Param() params: CalendarIdParamDto, @Body() body: UpdateCalendarDto): Promise<CalendarView> {
    return this.calendars.update(user, params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect a calendar (its stored spans go with it)' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @problemResponses(400, 401, 404)
  remove(@CurrentUser() user: AuthUser, @Param() params: CalendarIdParamDto): Promise<void> {
    return this.calendars.remove(user, params.id);
  }

  @Get(':id/preview')
  @ApiOperation({
    summary: 'The busy spans the rules make of this calendar, and every ignored event with why',
    description: `Reads the calendar now (the poller's own code path). Window [from, to), default the next 7 days, at most 62. ${RULES_NOTE}`,
  })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: CalendarPreviewView })
  @problemResponsesWith(UNREADABLE, 400, 401, 404, 422)
  preview(@CurrentUser() user: AuthUser, @Param() params: CalendarIdParamDto, @Query() query: PreviewQueryDto): Promise<CalendarPreviewView> {
    return this.calendars.preview(user, params.id, query);
  }
}
