import { Controller, Get, Inject, OnModuleDestroy } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../http/public.decorator';
import { RateLimitExempt } from '../http/rate-limit-exempt.decorator';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisPing } from './redis-ping';

const PROBE_TIMEOUT_MS = 2_000;

@Public()
@RateLimitExempt()
@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly redis: RedisPing;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.redis = new RedisPing(config.redis);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up (no dependency checks)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: Postgres and Redis answer' })
  ready() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: PROBE_TIMEOUT_MS }),
      () =>
        this.indicators
          .check('redis')
          .attempt(() => this.redis.ping())
          .withTimeout(PROBE_TIMEOUT_MS),
    ]);
  }

  onModuleDestroy() {
    return this.redis.close();
  }
}
