import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { HistoryRetentionRepository, WebhooksRepository } from '@statusync/db';

/** Small batches, each its own short statement: no lock is held for long, and a crash loses at most one batch. */
export const PURGE_BATCH_SIZE = 1_000;
/** A cap per run (a million updates) so a first purge of a huge backlog leaves room for other work; the next run continues. */
const MAX_BATCHES_PER_RUN = 1_000;

/** Deletes status history older than HISTORY_RETENTION_DAYS, batch by batch. */
@Injectable()
export class HistoryPurger {
  private readonly logger = new Logger(HistoryPurger.name);

  constructor(
    private readonly retention: HistoryRetentionRepository,
    private readonly webhooks: WebhooksRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns how many updates went (their deliveries and sync logs went with them). */
  async purge(): Promise<number> {
    const { retentionDays } = this.config.history;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const deleted = await this.retention.purgeBatch(retentionDays, PURGE_BATCH_SIZE);
      total += deleted;
      if (deleted < PURGE_BATCH_SIZE) break;
    }
    this.logger.log({ deleted: total, retentionDays }, 'status history purged');
    await this.purgeWebhookDeliveries();
    return total;
  }

  /** Final webhook deliveries older than WEBHOOK_RETENTION_DAYS, in the same batches (pending ones are kept). */
  private async purgeWebhookDeliveries(): Promise<void> {
    const { retentionDays } = this.config.webhooks;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const deleted = await this.webhooks.purgeBatch(retentionDays, PURGE_BATCH_SIZE);
      total += deleted;
      if (deleted < PURGE_BATCH_SIZE) break;
    }
    this.logger.log({ deleted: total, retentionDays }, 'webhook deliveries purged');
  }
}
