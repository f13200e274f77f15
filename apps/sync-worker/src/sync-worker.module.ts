import { Module } from '@nestjs/common';
import { ConfigModule, HealthModule, LoggingModule } from '@statusync/core';
import { DbModule } from '@statusync/db';
import { PlatformsModule } from '@statusync/platforms';
import { PlatformTokens } from './platform-tokens';
import { StatusSyncProcessor } from './status-sync.processor';
import { SyncWorkersHost } from './sync-workers.host';
import { LiveNotifier, LivePublisher, WebhookEmitter, WebhookProducer } from '@statusync/queue';
import { WebhookDeliveryProcessor } from './webhooks/webhook-delivery.processor';
import { WebhookWorkersHost } from './webhooks/webhook-workers.host';
import { StatusReadProcessor } from './status-read.processor';
import { StatusReadWorkersHost } from './status-read-workers.host';
import { SpanRestoreGuard } from './span-restore-guard';
import { JobHandlers } from './job-handlers';
import { SlackDndProcessor } from './slack-dnd.processor';
import { BeforeCallHooks } from './sync/before-call.hooks';
import { CallStep } from './sync/call.step';
import { ClaimStep } from './sync/claim.step';
import { SettleStep } from './sync/settle.step';
import { WriteBudget } from './sync/write-budget';

@Module({
  imports: [ConfigModule, LoggingModule, DbModule, PlatformsModule, HealthModule],
  providers: [
    StatusSyncProcessor,
    ClaimStep,
    CallStep,
    SettleStep,
    WriteBudget,
    BeforeCallHooks,
    JobHandlers,
    PlatformTokens,
    SyncWorkersHost,
    LivePublisher,
    LiveNotifier,
    StatusReadProcessor,
    StatusReadWorkersHost,
    SpanRestoreGuard,
    SlackDndProcessor,
    WebhookProducer,
    WebhookEmitter,
    WebhookDeliveryProcessor,
    WebhookWorkersHost,
  ],
})
export class SyncWorkerModule {}
