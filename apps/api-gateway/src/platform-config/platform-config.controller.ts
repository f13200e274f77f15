import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PLATFORMS } from '@statusync/platforms';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, RequestId } from '../auth/current-user.decorator';
import { problemResponses } from '../http/problem-responses';
import { ConnectPlatformDto, PlatformConfigView, PlatformPathDto } from './platform-config.dto';
import { PlatformConfigService } from './platform-config.service';

@ApiTags('platforms')
@ApiBearerAuth()
@Controller('config/platforms')
export class PlatformConfigController {
  constructor(private readonly service: PlatformConfigService) {}

  @Post()
  @ApiOperation({ summary: 'Connect a platform with a token', description: 'Checks the token with the platform, stores it encrypted and answers with the account name. The token is never returned.' })
  @ApiResponse({ status: 201, type: PlatformConfigView })
  @problemResponses(400, 401, 422, 503)
  connect(@CurrentUser() user: AuthUser, @RequestId() requestId: string | null, @Body() body: ConnectPlatformDto): Promise<PlatformConfigView> {
    return this.service.connect(user.id, body.platform, body.token, requestId);
  }

  @Get()
  @ApiOperation({ summary: 'List connected platforms (never tokens)' })
  @ApiResponse({ status: 200, type: PlatformConfigView, isArray: true })
  @problemResponses(401)
  list(@CurrentUser() user: AuthUser): Promise<PlatformConfigView[]> {
    return this.service.list(user.id);
  }

  @Delete(':platform')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect a platform and delete its stored token' })
  // Declared by hand: a DTO bound with @Param() does not show in the document, and clients generate code from it.
  @ApiParam({ name: 'platform', enum: PLATFORMS, example: 'github' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @problemResponses(400, 401, 404)
  disconnect(@CurrentUser() user: AuthUser, @RequestId() requestId: string | null, @Param() params: PlatformPathDto): Promise<void> {
    return this.service.disconnect(user.id, params.platform, requestId);
  }
}
