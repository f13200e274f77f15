import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@statusync/core';
import { UserEntity, UsersRepository, UserScope } from '@statusync/db';
import { instanceToPlain } from 'class-transformer';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { problemResponses } from '../http/problem-responses';
import { MeView, UpdateMeDto } from './me.dto';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly scope: UserScope,
    private readonly users: UsersRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Who I am, my time zone and working hours' })
  @ApiResponse({ status: 200, type: MeView })
  @problemResponses(401)
  async get(@CurrentUser() user: AuthUser): Promise<MeView> {
    return this.view(user, await this.scope.run(user.id, (db) => this.users.findById(db, user.id)));
  }

  @Patch()
  @ApiOperation({ summary: 'Change my time zone and/or working hours', description: 'Placeholders in templates and "end of day" use this zone.' })
  @ApiBody({
    type: UpdateMeDto,
    examples: {
      zone: { value: { timeZone: 'Europe/Berlin' } },
      hours: { value: { timeZone: 'America/New_York', workingHours: { mon: [{ start: '09:00', end: '12:30' }, { start: '13:30', end: '17:30' }], fri: [{ start: '09:00', end: '15:00' }] } } },
    },
  })
  @ApiResponse({ status: 200, type: MeView })
  @problemResponses(400, 401)
  async update(@CurrentUser() user: AuthUser, @Body() body: UpdateMeDto): Promise<MeView> {
    // Plain JSON of the validated DTO: only the declared days and fields are stored.
    const workingHours = body.workingHours ? (instanceToPlain(body.workingHours) as Record<string, unknown>) : body.workingHours;
    const updated = await this.scope.run(user.id, (db) => this.users.updateSettings(db, user.id, { timeZone: body.timeZone, workingHours }));
    return this.view(user, updated);
  }

  private view(user: AuthUser, row: UserEntity | null): MeView {
    if (!row) throw new ProblemException(404, 'not-found', 'Not Found', 'user not found');
    return { subject: row.subject, orgId: user.orgId, role: user.role, timeZone: row.timeZone, workingHours: row.workingHours as MeView['workingHours'] };
  }
}
