import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, RequestId } from '../auth/current-user.decorator';
import { problemResponses, problemResponsesWith } from '../http/problem-responses';
import { CreateWebhookDto, DeliveriesQueryDto, UpdateWebhookDto, WebhookDeliveryParamDto, WebhookIdParamDto } from './webhooks.dto';
import { WebhooksService } from './webhooks.service';
import { WebhookDeliveryPageView, WebhookDeliveryQueuedView, WebhookView, WebhookWithSecretView } from './webhooks.views';

const ID_PARAM = { name: 'id', format: 'uuid', example: 'a1b2c3d4-0000-4000-8000-00000000e001' };
const DELIVERY_PARAM = { name: 'deliveryId', format: 'uuid', example: 'b2c3d4e5-0000-4000-8000-00000000d001' };
const SIGNING =
  'Each event is POSTed as `{type, timestamp, data}` with the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature`; ' +
  'verify them with the `standardwebhooks` library (docs/webhooks.md). Only 2xx counts; redirects are not followed; 410 disables the endpoint.';
const DISABLED_409 = {
  409: {
    description: 'The endpoint is disabled (enable it first), or the delivery is still being attempted',
    example: { type: 'https://statusync.dev/problems/webhook-disabled', title: 'Webhook disabled', status: 409, detail: 'Enable the webhook (PATCH enabled: true) before replaying', errors: [{ field: 'id', reason: 'the webhook is disabled' }], requestId: 'req-1' },
  },
};

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Add a webhook endpoint; the answer holds its signing secret, shown this once', description: SIGNING })
  @ApiBody({
    type: CreateWebhookDto,
    examples: {
      personal: { value: { url: 'https://hooks.example.com/statusync', events: ['status.changed', 'sync.failed'] } },
      org: { value: { url: 'https://hooks.example.com/org-board', events: ['team.availability_changed'], scope: 'org', description: 'Office board' } },
    },
  })
  @ApiResponse({ status: 201, type: WebhookWithSecretView })
  @problemResponses(400, 401, 403)
  create(@CurrentUser() user: AuthUser, @RequestId() requestId: string | null, @Body() body: CreateWebhookDto): Promise<WebhookWithSecretView> {
    return this.webhooks.create(user, body, requestId);
  }

  @Get()
  @ApiOperation({ summary: 'My webhook endpoints, and (for an org admin) the org\'s; never their secrets' })
  @ApiResponse({ status: 200, type: WebhookView, isArray: true })
  @problemResponses(401)
  list(@CurrentUser() user: AuthUser): Promise<WebhookView[]> {
    return this.webhooks.list(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook endpoint, with its state (and why it was disabled)' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: WebhookView })
  @problemResponses(400, 401, 404)
  get(@CurrentUser() user: AuthUser, @Param() params: WebhookIdParamDto): Promise<WebhookView> {
    return this.webhooks.get(user, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL or events, or enable/disable the endpoint (enabling is how a disabled one recovers)' })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: UpdateWebhookDto, examples: { reenable: { value: { enabled: true } }, events: { value: { events: ['status.changed', 'sync.succeeded', 'sync.failed'] } } } })
  @ApiResponse({ status: 200, type: WebhookView })
  @problemResponses(400, 401, 404)
  update(@CurrentUser() user: AuthUser, @Param() params: WebhookIdParamDto, @Body() body: UpdateWebhookDto): Promise<WebhookView> {
    return this.webhooks.update(user, params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook endpoint and its delivery log' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @problemResponses(400, 401, 404)
  remove(@CurrentUser() user: AuthUser, @RequestId() requestId: string | null, @Param() params: WebhookIdParamDto): Promise<void> {
    return this.webhooks.remove(user, params.id, requestId);
  }

  @Post(':id/rotate-secret')
  @ApiOperation({
    summary: 'A new signing secret, shown this once; the previous one keeps signing beside it for 24 hours',
    description: 'During the overlap every request carries two signatures in `webhook-signature`, so receivers can switch secrets without missing a delivery.',
  })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 201, type: WebhookWithSecretView })
  @problemResponses(400, 401, 404)
  rotate(@CurrentUser() user: AuthUser, @RequestId() requestId: string | null, @Param() params: WebhookIdParamDto): Promise<WebhookWithSecretView> {
    return this.webhooks.rotateSecret(user, params.id, requestId);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries, newest first: each attempt with its time, HTTP status or error, duration, and the next retry' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 200, type: WebhookDeliveryPageView })
  @problemResponses(400, 401, 404)
  deliveries(@CurrentUser() user: AuthUser, @Param() params: WebhookIdParamDto, @Query() query: DeliveriesQueryDto): Promise<WebhookDeliveryPageView> {
    return this.webhooks.deliveries(user, params.id, query);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a finished delivery again (same webhook-id), with a fresh retry schedule' })
  @ApiParam(ID_PARAM)
  @ApiParam(DELIVERY_PARAM)
  @ApiResponse({ status: 202, type: WebhookDeliveryQueuedView })
  @problemResponsesWith(DISABLED_409, 400, 401, 404, 409)
  replay(@CurrentUser() user: AuthUser, @Param() params: WebhookDeliveryParamDto): Promise<WebhookDeliveryQueuedView> {
    return this.webhooks.replay(user, params.id, params.deliveryId);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a `webhook.test` ping to this endpoint (listed with its deliveries)' })
  @ApiParam(ID_PARAM)
  @ApiResponse({ status: 202, type: WebhookDeliveryQueuedView })
  @problemResponsesWith(DISABLED_409, 400, 401, 404, 409)
  test(@CurrentUser() user: AuthUser, @Param() params: WebhookIdParamDto): Promise<WebhookDeliveryQueuedView> {
    return this.webhooks.test(user, params.id);
  }
}
