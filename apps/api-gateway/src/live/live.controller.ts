import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { liveStreamKey } from '@statusync/queue';
import { Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { problemResponses } from '../http/problem-responses';
import { TeamAvailabilityService } from '../teams/team-availability.service';
import { TeamIdParamDto } from '../teams/teams.dto';
import { LiveHub } from './live-hub';
import { lastEventIdOf, SseSession } from './sse-session';

const LAST_EVENT_ID = {
  name: 'Last-Event-ID',
  required: false,
  description:
    'Resume after this event id (browsers send it on reconnect); events since then are replayed first. Streams keep one hour of events: from an older id (or more than 1,000 behind) you get `event: resync` instead, meaning "read the full state again".',
  example: '1764000000000-0',
};
const SSE_EXAMPLE = 'retry: 2000\n: connected\n\nid: 1764000000000-0\nevent: availability\ndata: {"subject":"auth0|alice","availability":"busy",…}\n\n: heartbeat\n\n';

/** Server-Sent Events: a team's members as they change, and the caller's own updates as they land. */
@ApiTags('live')
@ApiBearerAuth()
@Controller()
export class LiveController {
  constructor(
    private readonly hub: LiveHub,
    private readonly availability: TeamAvailabilityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('teams/:id/stream')
  @ApiOperation({
    summary: "A team's availability, live (Server-Sent Events; team members and org admins)",
    description:
      "`event: availability` with one member's availability (the shape of an availability item) whenever it changes, per-platform outcomes included; a `: heartbeat` comment every 15 s. Read `GET /teams/{id}/availability` first for the full picture.",
  })
  @ApiParam({ name: 'id', format: 'uuid', example: '5b0f7c1e-2d7a-4c53-9a0e-7d3f4b2c1a90' })
  @ApiHeader(LAST_EVENT_ID)
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' }, example: SSE_EXAMPLE } } })
  @problemResponses(400, 401, 403, 404)
  async team(@CurrentUser() user: AuthUser, @Param() params: TeamIdParamDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Checked before the stream opens, so a refusal is an ordinary problem-details answer.
    await this.availability.readable(user, params.id, () => ({ limit: 1 }));
    const session = new SseSession(reply, this.hub);
    session.open();
    await session.follow(liveStreamKey(this.config.redis.queuePrefix, 'team', params.id), lastEventIdOf(request), async (event) => {
      if (typeof event.subject !== 'string') return null;
      // Read as the caller: a member removed meanwhile, or a caller who lost access, gets nothing.
      const member = await this.availability.member(user, params.id, event.subject);
      return member ? { event: 'availability', data: member } : null;
    });
  }

  @Get('status/stream')
  @ApiOperation({
    summary: 'Your own updates, live (Server-Sent Events)',
    description: '`event: accepted` (pending, with its platforms), then `event: delivery` per platform as it lands (succeeded, failed, superseded, retrying), and `event: reading` when a read-back finds a platform showing something new.',
  })
  @ApiHeader(LAST_EVENT_ID)
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' }, example: 'id: 1764000000000-0\nevent: delivery\ndata: {"type":"delivery","updateId":"…","platform":"github","state":"succeeded","errorCode":null}\n\n' } } })
  @problemResponses(401)
  async own(@CurrentUser() user: AuthUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const session = new SseSession(reply, this.hub);
    session.open();
    await session.follow(liveStreamKey(this.config.redis.queuePrefix, 'user', user.id), lastEventIdOf(request), async (event) =>
      typeof event.type === 'string' ? { event: event.type, data: event } : null,
    );
  }
}
