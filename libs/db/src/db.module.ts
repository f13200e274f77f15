import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { dataSourceOptions } from './data-source-options';
import { AnalyticsRepository } from './repositories/analytics.repository';
import { AcceptUpdateRepository } from './repositories/accept-update.repository';
import { AuditRepository } from './repositories/audit.repository';
import { DeliveriesRepository } from './repositories/deliveries.repository';
import { HistoryRetentionRepository } from './repositories/history-retention.repository';
import { PlatformConfigsRepository } from './repositories/platform-configs.repository';
import { StatusTemplatesRepository } from './repositories/status-templates.repository';
import { StatusUpdatesRepository } from './repositories/status-updates.repository';
import { UsersRepository } from './repositories/users.repository';
import { TeamsRepository } from './repositories/teams.repository';
import { AvailabilityRepository } from './repositories/availability.repository';
import { CalendarsRepository } from './repositories/calendars.repository';
import { SyncLeasesRepository } from './repositories/sync-leases.repository';
import { UserScope } from './user-scope';
import { SpansRepository } from './repositories/spans/spans.repository';
import { SpanRestoresRepository } from './repositories/spans/span-restores.repository';
import { SchedulesRepository } from './repositories/schedules.repository';
import { WebhooksRepository } from './repositories/webhooks.repository';

const REPOSITORIES = [
  UserScope,
  AuditRepository,
  UsersRepository,
  PlatformConfigsRepository,
  StatusUpdatesRepository,
  DeliveriesRepository,
  StatusTemplatesRepository,
  TeamsRepository,
  AvailabilityRepository,
  SyncLeasesRepository,
  AnalyticsRepository,
  AcceptUpdateRepository,
  HistoryRetentionRepository,
  CalendarsRepository,
  SpansRepository,
  SpanRestoresRepository,
  SchedulesRepository,
  WebhooksRepository,
];

/** The Postgres connection and the repositories every service shares. Migrations run before services start. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.database), retryAttempts: 5, retryDelay: 1_000 }),
    }),
  ],
  providers: REPOSITORIES,
  exports: REPOSITORIES,
})
export class DbModule {}
