import { Injectable } from '@nestjs/common';
import { AlongsideUpdate, SpanRestore, SpanRow, StatusUpdateEntity, StatusUpdatesRepository } from '@statusync/db';
import { EntityManager } from 'typeorm';

/** An update recorded, and the rows the steps alongside it answered. */
export interface RecordedUpdate {
  update: StatusUpdateEntity;
  answered: unknown[];
}

/**
 * The ordinary status updates a span edge becomes (source `schedule` or `calendar`), recorded with their pending
 * deliveries like any API request: the sync workers and the outbox sweep then treat them as any other update.
 */
@Injectable()
export class SpanUpdates {
  constructor(private readonly updates: StatusUpdatesRepository) {}

  /** The span's platforms among those `configured` now (every configured one when the span names none). */
  targets(configured: string[], span: SpanRow): string[] {
    return span.platforms ? configured.filter((platform) => span.platforms!.includes(platform)) : configured;
  }

  /**
   * Shows the span's status on `platforms` until `expiresAt` (the block's end, so a platform clears it if we are down).
   * `alongside`: the edge's writes that need the update (the block's row, the edge's outcome), made by the same statement.
   */
  async set(db: EntityManager, span: SpanRow, platforms: string[], expiresAt: Date | null, edge: string, alongside: AlongsideUpdate[] = []): Promise<RecordedUpdate> {
    const { update, answered } = await this.updates.create(db, {
      userId: span.userId,
      kind: 'set',
      preset: null,
      emoji: span.status.emoji,
      message: span.status.message,
      limitedAvailability: span.status.limitedAvailability,
      expiresAt,
      platforms,
      idempotencyKey: null,
      requestFingerprint: null,
      requestId: `span.${span.id}.${edge}`,
      source: span.source,
      templateId: span.templateId ?? null,
      templateName: span.templateName ?? null,
    }, alongside);
    return { update, answered };
  }

  /**
   * Puts back what one platform showed before the block: that status with its original expiry while that is
   * still ahead, else a clear.
   */
  async restore(db: EntityManager, span: SpanRow, row: SpanRestore, now: Date, alongside: AlongsideUpdate[] = []): Promise<RecordedUpdate> {
    const { emoji, message, expiresAt } = row.previous;
    const hadStatus = (emoji || message) && (expiresAt === null || expiresAt > now);
    const { update, answered } = await this.updates.create(db, {
      userId: span.userId,
      kind: hadStatus ? 'set' : 'clear',
      preset: null,
      emoji: hadStatus ? emoji : null,
      message: hadStatus ? message : null,
      limitedAvailability: false,
      expiresAt: hadStatus ? expiresAt : null,
      platforms: [row.platform],
      idempotencyKey: null,
      requestFingerprint: null,
      requestId: `span.${span.id}.restore`,
      source: span.source,
    }, alongside);
    return { update, answered };
  }
}
