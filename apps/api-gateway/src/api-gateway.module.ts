import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { JwtStrategy } from './auth/jwt.strategy';
import { PlatformConfigModule } from './platform-config/platform-config.module';
import { StatusModule } from './status/status.module';

@Module({
  imports: [ConfigModule, LoggingModule, DbModule, QueueModule, PassportModule, HealthModule, PlatformConfigModule, StatusModule],
  providers: [JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard }],
})
export class ApiGatewayModule {}
