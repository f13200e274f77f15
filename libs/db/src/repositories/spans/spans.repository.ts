import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AlongsideUpdate } from '../status-updates.repository';
import { WebhookDeliveryTarget, webhookEmitSelect, WebhookEventRecord } from '../webhooks.repository';
import { SpanEdgeContext, SpanEdgeNotClaimed, toSpanEdgeContext } from './span-edge-context';
import { rowsOf, SpanDbRow, toSpan } from './span-rows';
import type { DueEdge, ReplaceResult, ReplaceSpans, SpanEdge, SpanRow, SpanSource } from './span-types';

/**
 * The span engine's store: timed spans of a user from any source (schedules, calendars). A source only ever
 * calls `replaceForSource` with the spans it computed; the scheduler fires their edges. Every method but
 * `dueEdges` takes the user-scoped transaction (UserScope) it runs in.
 */
@Injectable()
export class SpansRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Makes the stored spans of one source equal `spans` (within `window` if given): upserts each by its
   * occurrence key, cancels the ones that are gone and have not started, and ends now the ones that are gone
   * but already running. A span whose end has fired is never changed. Idempotent.
   */
  async replaceForSource(db: EntityManager, input: ReplaceSpans): Promise<ReplaceResult> {
    const changed: SpanRow[] = [];
    for (const span of input.spans) {
      const rows = (await db.query(
        `INSERT INTO status_spans AS s (user_id, source, source_id, occurrence_key, starts_at, ends_at, emoji, message,
                                        limited_availability, platforms, template_id, template_name, slack_dnd)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (source, source_id, occurrence_key) DO UPDATE SET
           starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, emoji = EXCLUDED.emoji, message = EXCLUDED.message,
           limited_availability = EXCLUDED.limited_availability, platforms = EXCLUDED.platforms,
           template_id = EXCLUDED.template_id, template_name = EXCLUDED.template_name, slack_dnd = EXCLUDED.slack_dnd,
           cancelled_at = NULL, updated_at = now()
         WHERE NOT EXISTS (SELECT 1 FROM span_edges e WHERE e.span_id = s.id AND e.edge = 'end')
           AND (s.starts_at, s.ends_at, s.emoji, s.message, s.limited_availability, s.platforms, s.slack_dnd, s.cancelled_at)
               IS DISTINCT FROM (EXCLUDED.starts_at, EXCLUDED.ends_at, EXCLUDED.emoji, EXCLUDED.message,
                                 EXCLUDED.limited_availability, EXCLUDED.platforms, EXCLUDED.slack_dnd, NULL::timestamptz)
         RETURNING *`,
        [
          input.userId,
          input.source,
          input.sourceId,
          span.occurrenceKey,
          span.startsAt,
          span.endsAt,
          span.status.emoji,
          span.status.message,
          span.status.limitedAvailability,
          span.platforms,
          span.templateId ?? null,
          span.templateName ?? null,
          span.slackDnd === true,
        ],
      )) as SpanDbRow[];
      if (rows[0]) changed.push(toSpan(rows[0]));
    }
    const keys = input.spans.map((span) => span.occurrenceKey);
    const windowed = input.window ? `AND starts_at >= $4 AND starts_at < $5` : '';
    const params: unknown[] = [input.source, input.sourceId, keys, ...(input.window ? [input.window.from, input.window.to] : [])];
    const gone = `source = $1 AND source_id = $2 AND occurrence_key <> ALL($3::text[]) AND cancelled_at IS NULL ${windowed}`;
    const cancelled = rowsOf<{ id: string }>(await db.query(
      `UPDATE status_spans SET cancelled_at = now(), updated_at = now()
       WHERE ${gone} AND NOT EXISTS (SELECT 1 FROM span_edges e WHERE e.span_id = status_spans.id AND e.edge = 'start')
       RETURNING id`,
      params,
    ));
    const ended = rowsOf<SpanDbRow>(await db.query(
      `UPDATE status_spans SET ends_at = greatest(now(), starts_at + interval '1 millisecond'), cancelled_at = now(), updated_at = now()
       WHERE ${gone} AND (ends_at IS NULL OR ends_at > now())
         AND NOT EXISTS (SELECT 1 FROM span_edges e WHERE e.span_id = status_spans.id AND e.edge = 'end')
       RETURNING *`,
      params,
    ));
    return { changed, cancelledIds: cancelled.map((row) => row.id), endedNow: ended.map(toSpan) };
  }

  /** Cancels every span of a source (a deleted schedule or calendar). */
  cancelSource(db: EntityManager, userId: string, source: SpanSource, sourceId: string): Promise<ReplaceResult> {
    return this.replaceForSource(db, { userId, source, sourceId, spans: [] });
  }

  async findById(db: EntityManager, id: string): Promise<SpanRow | null> {
    const rows = (await db.query(`SELECT * FROM status_spans WHERE id = $1`, [id])) as SpanDbRow[];
    return rows[0] ? toSpan(rows[0]) : null;
  }

  /** Spans of a source overlapping [from, to), in order. */
  async listForSource(db: EntityManager, source: SpanSource, sourceId: string, from: Date, to: Date): Promise<SpanRow[]> {
    const rows = (await db.query(
      `SELECT * FROM status_spans WHERE source = $1 AND source_id = $2 AND cancelled_at IS NULL
         AND starts_at < $4 AND (ends_at IS NULL OR ends_at > $3) ORDER BY starts_at`,
      [source, sourceId, from, to],
    )) as SpanDbRow[];
    return rows.map(toSpan);
  }

  /**
   * The first statement of an edge's transaction (UserScope.runSelfScoped): scopes it to the user, takes the user's
   * edge lock, checks the span still has this edge at `atMs`, claims the edge and reads everything the decision needs
   * (statusync_begin_span_edge). A failure later in the transaction un-claims it.
   */
  async beginEdge(db: EntityManager, edge: { userId: string; spanId: string; edge: SpanEdge; atMs: number }, now: Date): Promise<SpanEdgeContext | SpanEdgeNotClaimed> {
    const [row] = (await db.query(`SELECT statusync_begin_span_edge($1, $2, $3, $4, $5) AS answer`, [edge.userId, edge.spanId, edge.edge, edge.atMs, now])) as {
      answer: Parameters<typeof toSpanEdgeContext>[0];
    }[];
    return toSpanEdgeContext(row.answer);
  }

  /**
   * Records the claimed edge's outcome and, in the same statement, the webhook events that report it (§41: one
   * round trip instead of two); answers the events' deliveries, to hand to the queue after the commit.
   */
  async settleEdge(db: EntityManager, spanId: string, edge: SpanEdge, outcome: string, updateIds: string[], events: WebhookEventRecord[] = []): Promise<WebhookDeliveryTarget[]> {
    const settle = settleEdgeSql(1, false);
    if (events.length === 0) {
      await db.query(settle, [spanId, edge, outcome, updateIds]);
      return [];
    }
    const emit = webhookEmitSelect(events);
    return (await db.query(`WITH settled AS (${settle}) ${emit.sql(5)}`, [spanId, edge, outcome, updateIds, ...emit.parameters])) as WebhookDeliveryTarget[];
  }

  /**
   * `settleEdge` as steps of the statement that records the edge's updates (StatusUpdatesRepository.record's
   * `alongside`, §48: one round trip fewer per edge that changes a status); `record` answers the events' deliveries.
   */
  settleEdgeWith(spanId: string, edge: SpanEdge, outcome: string, events: WebhookEventRecord[] = []): AlongsideUpdate[] {
    const settle: AlongsideUpdate = { sql: (first) => settleEdgeSql(first, true), parameters: [spanId, edge, outcome] };
    if (events.length === 0) return [settle];
    return [settle, { ...webhookEmitSelect(events), answers: true }];
  }

  async edgesOf(db: EntityManager, spanId: string): Promise<{ edge: SpanEdge; outcome: string; updateIds: string[] }[]> {
    return db.query(`SELECT edge, outcome, update_ids AS "updateIds" FROM span_edges WHERE span_id = $1 ORDER BY fired_at`, [spanId]);
  }

  /** Across users (scheduler only): edges due before `until` that have not fired. */
  async dueEdges(until: Date, limit: number): Promise<DueEdge[]> {
    const rows = (await this.dataSource.query(`SELECT span_id, user_id, edge, due_at FROM statusync_due_span_edges($1, $2)`, [until, limit])) as {
      span_id: string;
      user_id: string;
      edge: SpanEdge;
      due_at: Date;
    }[];
    return rows.map((row) => ({ spanId: row.span_id, userId: row.user_id, edge: row.edge, dueAt: row.due_at }));
  }
}

/**
 * Records a claimed edge's outcome and update ids; its parameters from `$first`: span, edge, outcome, then the ids,
 * or, as a step of the statement recording the edge's updates (`ofCreated`), those updates' ids in order.
 */
function settleEdgeSql(first: number, ofCreated: boolean): string {
  const ids = ofCreated ? `ARRAY(SELECT id FROM created ORDER BY seq)` : `$${first + 3}`;
  return `UPDATE span_edges SET outcome = $${first + 2}, update_ids = ${ids} WHERE span_id = $${first} AND edge = $${first + 1}`;
}
