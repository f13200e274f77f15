import { SpanRestore, SpanRestoreDbRow, toRestore } from './span-restores.repository';
import { SpanDbRow, toSpan } from './span-rows';
import type { SpanRow, SpanStatus } from './span-types';

/** An edge that was not claimed: its span is gone, moved since the job was made, or the edge already fired. */
export interface SpanEdgeNotClaimed {
  outcome: 'gone' | 'moved' | 'duplicate';
}

/**
 * Everything the decision at a claimed edge reads, as statusync_begin_span_edge read it after taking the user's
 * lock and the claim (migration 1764000016100).
 */
export interface SpanEdgeContext {
  outcome: 'claimed';
  span: SpanRow;
  /** The user's open block, one row per platform, in order of platform. */
  open: SpanRestore[];
  /** The user's spans not ended at the edge's reference time (now at a start, the span's end at an end), in order of start. */
  live: SpanRow[];
  /** The user's configured platforms, in order. */
  configured: string[];
  /** At an end: what the span's start edge decided (null if it never fired). */
  startOutcome: string | null;
  /** The status now shown by the open block (its first row's shown update), if a block is open. */
  shown: (SpanStatus & { expiresAt: Date | null }) | null;
  /** Platforms on which the user made their own update after the open block opened. */
  changedByUser: Set<string>;
  /** The user's subject (for webhook events). */
  subject: string | null;
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

const date = (value: string | null): Date | null => (value === null ? null : new Date(value));

const spanOf = (row: Json<SpanDbRow>): SpanRow =>
  toSpan({ ...row, starts_at: new Date(row.starts_at), ends_at: date(row.ends_at), cancelled_at: date(row.cancelled_at) });

const restoreOf = (row: Json<SpanRestoreDbRow>): SpanRestore =>
  toRestore({
    ...row,
    opened_seq: String(row.opened_seq),
    captured_at: date(row.captured_at),
    prev_expires_at: date(row.prev_expires_at),
    ended_at: date(row.ended_at),
  });

interface Answer {
  outcome: 'gone' | 'moved' | 'duplicate' | 'claimed';
  span?: Json<SpanDbRow>;
  open?: Json<SpanRestoreDbRow>[];
  live?: Json<SpanDbRow>[];
  configured?: string[];
  startOutcome?: string | null;
  shown?: { emoji: string | null; message: string | null; limited_availability: boolean; expires_at: string | null } | null;
  changedByUser?: string[];
  subject?: string | null;
}

/** The function's jsonb answer, typed (timestamps come as ISO strings, bigints as numbers). */
export function toSpanEdgeContext(answer: Answer): SpanEdgeContext | SpanEdgeNotClaimed {
  if (answer.outcome !== 'claimed') return { outcome: answer.outcome };
  const shown = answer.shown ?? null;
  return {
    outcome: 'claimed',
    span: spanOf(answer.span!),
    open: (answer.open ?? []).map(restoreOf),
    live: (answer.live ?? []).map(spanOf),
    configured: answer.configured ?? [],
    startOutcome: answer.startOutcome ?? null,
    shown: shown && { emoji: shown.emoji, message: shown.message, limitedAvailability: shown.limited_availability, expiresAt: date(shown.expires_at) },
    changedByUser: new Set(answer.changedByUser ?? []),
    subject: answer.subject ?? null,
  };
}
