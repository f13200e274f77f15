import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { problemResponses } from '../http/problem-responses';
import { AvailabilityPageView, PlatformAvailabilityView } from './availability.views';
import { TeamAvailabilityService } from './team-availability.service';
import { AvailabilityQueryDto, TeamIdParamDto, TeamMemberParamDto, TeamNameDto } from './teams.dto';
import { TeamsService } from './teams.service';
import { TeamListView, TeamView } from './teams.views';

const TEAM_ID = { name: 'id', format: 'uuid', example: '5b0f7c1e-2d7a-4c53-9a0e-7d3f4b2c1a90' };
const SUBJECT = { name: 'subject', description: "The member's JWT `sub`", example: 'auth0|alice' };
const NAME_EXAMPLES = { platform: { value: { name: 'Platform team' } } };

@ApiTags('teams')
@ApiBearerAuth()
@ApiExtraModels(PlatformAvailabilityView)
@Controller('teams')
export class TeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly availability: TeamAvailabilityService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a team in your org (org admins)' })
  @ApiBody({ type: TeamNameDto, examples: NAME_EXAMPLES })
  @ApiResponse({ status: 201, type: TeamView })
  @problemResponses(400, 401, 403, 409)
  create(@CurrentUser() user: AuthUser, @Body() body: TeamNameDto): Promise<TeamView> {
    return this.teams.create(user, body.name);
  }

  @Get()
  @ApiOperation({ summary: "Your org's teams you belong to (admins: all of them)" })
  @ApiResponse({ status: 200, type: TeamListView })
  @problemResponses(401)
  async list(@CurrentUser() user: AuthUser): Promise<TeamListView> {
    return { items: await this.teams.list(user) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One team (its members and org admins)' })
  @ApiParam(TEAM_ID)
  @ApiResponse({ status: 200, type: TeamView })
  @problemResponses(400, 401, 403, 404)
  get(@CurrentUser() user: AuthUser, @Param() params: TeamIdParamDto): Promise<TeamView> {
    return this.teams.get(user, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a team (org admins)' })
  @ApiParam(TEAM_ID)
  @ApiBody({ type: TeamNameDto, examples: NAME_EXAMPLES })
  @ApiResponse({ status: 200, type: TeamView })
  @problemResponses(400, 401, 403, 404, 409)
  rename(@CurrentUser() user: AuthUser, @Param() params: TeamIdParamDto, @Body() body: TeamNameDto): Promise<TeamView> {
    return this.teams.rename(user, params.id, body.name);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a team (org admins); its members stay users of the org' })
  @ApiParam(TEAM_ID)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @problemResponses(400, 401, 403, 404)
  delete(@CurrentUser() user: AuthUser, @Param() params: TeamIdParamDto): Promise<void> {
    return this.teams.delete(user, params.id);
  }

  @Put(':id/members/:subject')
  @ApiOperation({
    summary: 'Add a member by JWT subject (org admins)',
    description: 'Idempotent. A subject never seen is created as a user of your org; one already known in another org (or in none) is refused with 409.',
  })
  @ApiParam(TEAM_ID)
  @ApiParam(SUBJECT)
  @ApiResponse({ status: 200, type: TeamView })
  @problemResponses(400, 401, 403, 404, 409)
  addMember(@CurrentUser() user: AuthUser, @Param() params: TeamMemberParamDto): Promise<TeamView> {
    return this.teams.addMember(user, params.id, params.subject);
  }

  @Delete(':id/members/:subject')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (org admins)' })
  @ApiParam(TEAM_ID)
  @ApiParam(SUBJECT)
  @ApiResponse({ status: 204, description: 'Removed' })
  @problemResponses(400, 401, 403, 404)
  removeMember(@CurrentUser() user: AuthUser, @Param() params: TeamMemberParamDto): Promise<void> {
    return this.teams.removeMember(user, params.id, params.subject);
  }

  @Get(':id/availability')
  @ApiOperation({
    summary: "Each member's availability and what each platform shows (team members and org admins)",
    description: 'Ordered by subject, cursor-paginated (`limit` ≤ 200). Readings older than 10 minutes are refreshed in the background (low-priority read-back jobs).',
  })
  @ApiParam(TEAM_ID)
  @ApiResponse({ status: 200, type: AvailabilityPageView })
  @problemResponses(400, 401, 403, 404)
  teamAvailability(@CurrentUser() user: AuthUser, @Param() params: TeamIdParamDto, @Query() query: AvailabilityQueryDto): Promise<AvailabilityPageView> {
    return this.availability.page(user, params.id, query.limit, query.cursor);
  }
}
