import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AppConfig, ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { QueueMetricsCollector, QueueModule } from '@statusync/queue';
import { AnalyticsModule } from './analytics/analytics.module';
import { DevTokenModule } from './dev-token/dev-token.module';
import { CalendarsModule } from './calendars/calendars.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { JwtStrategy } from './auth/jwt.strategy';
import { HttpDrain } from './http/http-drain';
import { MeModule } from './me/me.module';
import { OAuthModule } from './oauth/oauth.module';
import { PlatformConfigModule } from './platform-config/platform-config.module';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { StatusModule } from './status/status.module';
import { TemplatesModule } from './templates/templates.module';
import { TeamsModule } from './teams/teams.module';
import { SchedulesModule } from './schedules/schedules.module';
import { LiveModule } from './live/live.module';

@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    DbModule,
    QueueModule,
    PassportModule,
    HealthModule,
    RateLimitModule,
    PlatformConfigModule,
    OAuthModule,
    StatusModule,
    MeModule,
    TemplatesModule,
    TeamsModule,
    LiveModule,
    AnalyticsModule,
    CalendarsModule,
    WebhooksModule,
    SchedulesModule,
  ],
  providers: [
    JwtStrategy,
    HttpDrain,
    // Queue depth and age for /metrics: exported by the gateway only, so each queue's series exist once.
    QueueMetricsCollector,
    // Global guards run in the order listed: authentication first, so the rate limit knows whose budget to use.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class ApiGatewayModule {
  /** The gateway for `env`: outside production it also mints development tokens (for the web page). */
  static forEnvironment(env: AppConfig['env']): DynamicModule {
    return { module: ApiGatewayModule, imports: [DevTokenModule.forEnvironment(env)] };
  }
}
