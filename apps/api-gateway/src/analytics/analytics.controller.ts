import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { problemResponses } from '../http/problem-responses';
import { AnalyticsQueryDto } from './analytics.dto';
import { AnalyticsService } from './analytics.service';
import { AnalyticsView, PlatformAnalyticsView } from './analytics.views';

const FORBIDDEN = {
  type: 'https://statusync.dev/problems/forbidden',
  title: 'Forbidden',
  status: 403,
  detail: "Only an admin of the organisation may see the organisation's analytics",
  requestId: 'req-1',
};

@ApiTags('status')
@ApiBearerAuth()
@ApiExtraModels(PlatformAnalyticsView)
@Controller('status')
export class AnalyticsController {
  constructor(private readonly service: AnalyticsService) {}

  @Get('analytics')
  @ApiOperation({
    summary: 'Per-platform outcomes, latency and most used templates over a time window',
    description:
      'Counts the status updates requested in [from, to) once per platform, whatever their retries: succeeded, superseded, failed (by error code), ' +
      'retries, and the p50/p95 time from request to applied. `scope=org` covers every member of your organisation (org admins only).',
  })
  @ApiResponse({ status: 200, type: AnalyticsView })
  @ApiResponse({
    status: 403,
    description: 'scope=org by a member who is not an org admin',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' }, example: FORBIDDEN } },
  })
  @problemResponses(400, 401)
  analytics(@CurrentUser() user: AuthUser, @Query() query: AnalyticsQueryDto): Promise<AnalyticsView> {
    return this.service.figures(user, query);
  }
}
