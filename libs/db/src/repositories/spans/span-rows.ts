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
  cancelledAt: row.cancelled_at,
});
