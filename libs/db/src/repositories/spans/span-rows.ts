import type { SpanRow, SpanSource } from './span-types';

export interface SpanDbRow {
  id: string;
  user_id: string;
  source: SpanSource;
  source_id: string;
  occurrence_key: string;
  starts_at: Date;
  ends_at: Date | null;
  emoji: string | null;
  message: string | null;
  limited_availability: boolean;
  platforms: string[] | null;
  template_id: string | null;
  template_name: string | null;
  slack_dnd: boolean;
  cancelled_at: Date | null;
}

export const toSpan = (row: SpanDbRow): SpanRow => ({
  id: row.id,
  userId: row.user_id,
  source: row.source,
  sourceId: row.source_id,
  occurrenceKey: row.occurrence_key,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  status: { emoji: row.emoji, message: row.message, limitedAvailability: row.limited_availability },
  platforms: row.platforms,
  templateId: row.template_id,
  templateName: row.template_name,
  slackDnd: row.slack_dnd,
  cancelledAt: row.cancelled_at,
});

/** TypeORM answers UPDATE … RETURNING with [rows, count] and INSERT … RETURNING with rows: the rows either way. */
export function rowsOf<T>(result: unknown): T[] {
  const list = result as unknown[];
  return (Array.isArray(list[0]) ? list[0] : list) as T[];
}
