import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Deletes status history older than the retention period, across users, through the narrow SECURITY DEFINER
 * function made for it. Each call is one short statement (its own transaction) deleting at most `batchSize`
 * updates; their deliveries and sync logs go with them.
 */
@Injectable()
export class HistoryRetentionRepository {
  constructor(private readonly db: DataSource) {}

  /** Deletes one batch; returns how many updates went (fewer than `batchSize`: nothing old is left). */
  async purgeBatch(retentionDays: number, batchSize: number): Promise<number> {
    const [row] = (await this.db.query(`SELECT statusync_purge_history($1, $2) AS deleted`, [retentionDays, batchSize])) as { deleted: number }[];
    return row.deleted;
  }
}
