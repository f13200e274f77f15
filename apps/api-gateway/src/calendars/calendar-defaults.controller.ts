import { Body, Controller, Get, Inject, Injectable, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { effectiveRules } from '@statusync/calendar-feeds';
import { ProblemException } from '@statusync/core';
import { CalendarsRepository, UserScope } from '@statusync/db';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { problemResponses } from '../http/problem-responses';
import { CalendarRulesDto } from './calendars.dto';
import { CalendarRulesView } from './calendars.views';

const noOrg = () =>
  new ProblemException(400, 'validation', 'Invalid request', 'Calendar defaults belong to an organisation: your token has no org_id.', [
    { field: 'org_id', reason: 'your token names no organisation' },
  ]);

/** Org-wide default calendar rules: every member's calendars start from them; a calendar's own rules win. */
@Injectable()
export class CalendarDefaultsService {
  constructor(
    @Inject(UserScope) private readonly scope: UserScope,
    @Inject(CalendarsRepository) private readonly calendars: CalendarsRepository,
  ) {}

  async get(user: AuthUser): Promise<CalendarRulesView> {
    if (!user.orgId) throw noOrg();
    const org = user.orgId;
    return effectiveRules({}, await this.scope.run(user.id, (db) => this.calendars.orgDefaults(db, org), { orgId: org, role: user.role }));
  }

  async set(user: AuthUser, rules: CalendarRulesDto): Promise<CalendarRulesView> {
    if (!user.orgId) throw noOrg();
    if (user.role !== 'admin') throw new ProblemException(403, 'forbidden', 'Forbidden', 'Only an admin of the organisation can change its calendar defaults');
    const org = user.orgId;
    const stored = await this.scope.run(user.id, (db) => this.calendars.setOrgDefaults(db, org, { ...rules }), { orgId: org, role: user.role });
    return effectiveRules({}, stored);
  }
}

@ApiTags('calendars')
@ApiBearerAuth()
@Controller('config/calendar-defaults')
export class CalendarDefaultsController {
  constructor(private readonly defaults: CalendarDefaultsService) {}

  @Get()
  @ApiOperation({ summary: 'My org\'s default calendar rules', description: 'What every calendar of the org starts from; a calendar\'s own rules win field by field.' })
  @ApiResponse({ status: 200, type: CalendarRulesView })
  @problemResponses(400, 401)
  get(@CurrentUser() user: AuthUser): Promise<CalendarRulesView> {
    return this.defaults.get(user);
  }

  @Put()
  @ApiOperation({ summary: 'Set my org\'s default calendar rules (org admins)', description: 'Replaces the org\'s defaults; fields left out fall back to the built-in defaults.' })
  @ApiBody({ type: CalendarRulesDto, examples: { meetingsOnly: { value: { kinds: ['out_of_office', 'meeting'] } }, allDay: { value: { includeAllDay: true } } } })
  @ApiResponse({ status: 200, type: CalendarRulesView })
  @problemResponses(400, 401, 403)
  set(@CurrentUser() user: AuthUser, @Body() body: CalendarRulesDto): Promise<CalendarRulesView> {
    return this.defaults.set(user, body);
  }
}
