import { Injectable } from '@nestjs/common';
import { AlongsideUpdate, NewStatusUpdate, RecordedUpdates, SpanRestore, SpanRow, StatusUpdatesRepository } from '@statusync/db';
import { EntityManager } from 'typeorm';

/**
 * The ordinary status updates a span edge becomes (source `schedule` or `calendar`), recorded with their pending
 * deliveries like any API request: the sync workers and the outbox sweep then treat them as any other update.
 * `alongside`: the edge's writes that need the updates (the block's rows, the edge's outcome), made by the same
 * statement.
 */
@Injectable()
export class SpanUpdates {
  constructor(private readonly updates: StatusUpdatesRepository) {}

  /** The span's platforms among those `configured` now (every configured one when the span names none). */
  targets(configured: string[], span: SpanRow): string[] {
    return span.platforms ? configured.filter((platform) => span.platforms!.includes(platform)) : configured;
  }

  /** Shows the span's status on `platforms` until `expiresAt` (the block's end, so a platform clears it if we are down). */
  set(db: EntityManager, span: SpanRow, platforms: string[], expiresAt: Date | null, edge: string, alongside: AlongsideUpdate[] = []): Promise<RecordedUpdates> {
    return this.updates.record(
      db,
      [
        {
          ...fromSpan(span, `span.${span.id}.${edge}`),
          kind: 'set',
          emoji: span.status.emoji,
          message: span.status.message,
          limitedAvailability: span.status.limitedAvailability,
          expiresAt,
          platforms,
          templateId: span.templateId ?? null,
          templateName: span.templateName ?? null,
        },
      ],
      alongside,
    );
  }

  /**
   * Puts back what each platform of `rows` showed before the block, one update per platform: that status with its
   * original expiry while that is still ahead, else a clear.
   */
  restore(db: EntityManager, span: SpanRow, rows: SpanRestore[], now: Date, alongside: AlongsideUpdate[] = []): Promise<RecordedUpdates> {
    const inputs = rows.map((row): NewStatusUpdate => {
      const { emoji, message, expiresAt } = row.previous;
      const hadStatus = Boolean(emoji || message) && (expiresAt === null || expiresAt > now);
      return {
        ...fromSpan(span, `span.${span.id}.restore`),
        kind: hadStatus ? 'set' : 'clear',
        emoji: hadStatus ? emoji : null,
        message: hadStatus ? message : null,
        limitedAvailability: false,
        expiresAt: hadStatus ? expiresAt : null,
        platforms: [row.platform],
      };
    });
    return this.updates.record(db, inputs, alongside);
  }
}

/** What every update of a span has: its user, source and request id, and no preset or idempotency key. */
function fromSpan(span: SpanRow, requestId: string) {
  return { userId: span.userId, preset: null, idempotencyKey: null, requestFingerprint: null, requestId, source: span.source };
}
