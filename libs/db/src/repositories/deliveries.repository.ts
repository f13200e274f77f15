import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DeliveryState, StatusDeliveryEntity } from '../entities/status-delivery.entity';
import { SyncOutcome } from '../entities/sync-log.entity';

export interface SyncAttempt {
  updateId: string;
  platform: string;
  userId: string;
  attempt: number;
  outcome: SyncOutcome;
  errorCode?: string | null;
  errorMessage?: string | null;
  retryAfterMs?: number | null;
  durationMs: number;
  requestId?: string | null;
}

const STATE_AFTER: Record<SyncOutcome, DeliveryState> = {
  succeeded: 'succeeded',
  failed: 'failed',
  superseded: 'superseded',
  retrying: 'pending',
};

export interface DeliveryRef {
  updateId: string;
  platform: string;
  userId: string;
  requestId: string | null;
}

/** Per-platform outcomes of updates, and the sync log of every attempt behind them. */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly db: DataSource) {}

  find(db: EntityManager, updateId: string, platform: string): Promise<StatusDeliveryEntity | null> {
    return db.getRepository(StatusDeliveryEntity).findOneBy({ updateId, platform });
  }

  /**
   * Writes the attempt to `sync_logs` and moves the delivery to the state the outcome implies. `completed_at` is
   * the wall clock after the platform call (not the transaction's start), so analytics latency includes the call.
   */
  async recordAttempt(manager: EntityManager, attempt: SyncAttempt): Promise<void> {
    const errorMessage = attempt.errorMessage?.slice(0, 1000) ?? null;
    await manager.query(
      `INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, error_code, error_message, retry_after_ms, duration_ms, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        attempt.updateId,
        attempt.platform,
        attempt.userId,
        attempt.attempt,
        attempt.outcome,
        attempt.errorCode ?? null,
        errorMessage,
        attempt.retryAfterMs ?? null,
        attempt.durationMs,
        attempt.requestId ?? null,
      ],
    );
    const state = STATE_AFTER[attempt.outcome];
    await manager.query(
      `UPDATE status_deliveries
       SET state = $3, attempts = $4, error_code = $5, error_message = $6, updated_at = now(),
           completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE clock_timestamp() END
       WHERE update_id = $1 AND platform = $2 AND state = 'pending'`,
      [attempt.updateId, attempt.platform, state, attempt.attempt, attempt.errorCode ?? null, errorMessage],
    );
  }

  /**
   * Deliveries of any user still pending after `olderThanMs`: candidates for re-enqueueing (outbox sweep).
   * Crosses users, so it goes through the narrow SECURITY DEFINER function made for it.
   */
  async pendingOlderThan(olderThanMs: number, limit: number): Promise<DeliveryRef[]> {
    return this.db.query(
      `SELECT update_id AS "updateId", platform, user_id AS "userId", request_id AS "requestId"
       FROM statusync_pending_deliveries($1, $2)`,
      [olderThanMs, limit],
    );
  }

  /**
   * One page of the deliveries of any user still pending after `olderThanMs`, in (created_at, update_id,
   * platform) order after `after` (the previous page's last row): the outbox sweep walks all of them.
   */
  async pendingPage(olderThanMs: number, after: PendingCursor | null, limit: number): Promise<(DeliveryRef & { cursor: PendingCursor })[]> {
    const rows = (await this.db.query(
      `SELECT update_id AS "updateId", platform, user_id AS "userId", request_id AS "requestId", created_at::text AS "createdAt"
       FROM statusync_pending_deliveries_after($1, $2, $3, $4, $5)`,
      [olderThanMs, after?.createdAt ?? null, after?.updateId ?? null, after?.platform ?? null, limit],
    )) as (DeliveryRef & { createdAt: string })[];
    return rows.map(({ createdAt, ...ref }) => ({ ...ref, cursor: { createdAt, updateId: ref.updateId, platform: ref.platform } }));
  }
}

/** Where a page of pending deliveries ended. created_at travels as Postgres text, so no precision is lost. */
export interface PendingCursor {
  createdAt: string;
  updateId: string;
  platform: string;
}
