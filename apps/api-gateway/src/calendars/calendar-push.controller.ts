import { Body, Controller, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public, RateLimitExempt } from '@statusync/core';
import type { FastifyReply } from 'fastify';
import { CalendarPushService } from './calendar-push.service';

/** Graph's validation tokens are opaque but short; anything else is not Graph. */
const VALIDATION_TOKEN = /^[\x20-\x7e]{1,1024}$/;

/**
 * Where Google and Microsoft deliver change notifications (`<PUBLIC_BASE_URL>/api/v1/calendars/push/...`). For the
 * providers' servers, not for API clients, so it is left out of the OpenAPI document. No JWT (a channel token
 * instead), and out of the per-address public rate limit: a provider sends from few addresses for every user.
 */
@ApiExcludeController()
@Controller('calendars/push')
export class CalendarPushController {
  constructor(private readonly push: CalendarPushService) {}

  @Post('google')
  @Public()
  @RateLimitExempt()
  @HttpCode(204)
  google(
    @Headers('x-goog-channel-id') channelId: string | undefined,
    @Headers('x-goog-channel-token') token: string | undefined,
    @Headers('x-goog-resource-state') state: string | undefined,
  ): Promise<void> {
    return this.push.google(channelId, token, state);
  }

  /** Also the subscription's validation handshake: echo `validationToken` as text/plain, at once. */
  @Post('microsoft')
  @Public()
  @RateLimitExempt()
  async microsoft(@Query('validationToken') validationToken: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | void> {
    if (typeof validationToken === 'string' && VALIDATION_TOKEN.test(validationToken)) {
      void reply.status(200).header('content-type', 'text/plain; charset=utf-8');
      return validationToken;
    }
    await this.push.microsoft(body);
    void reply.status(202);
  }
}
