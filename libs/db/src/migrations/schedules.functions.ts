/**
 * The scheduler's only way across users: the span edges (start/end) due before `p_until` that have not fired,
 * and recurring schedules (for materialising their occurrences). Runs as statusync_system, fixed search_path.
 */
export const DUE_SPAN_EDGES_FUNCTION = (schema: string) => `
  CREATE FUNCTION statusync_due_span_edges(p_until timestamptz, p_limit int)
  RETURNS TABLE (span_id uuid, user_id uuid, edge text, due_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
    SELECT * FROM (
      SELECT s.id, s.user_id, 'start'::text, s.starts_at FROM status_spans s
      WHERE s.cancelled_at IS NULL AND s.starts_at < p_until
        AND NOT EXISTS (SELECT 1 FROM span_edges e WHERE e.span_id = s.id AND e.edge = 'start')
      UNION ALL
      SELECT s.id, s.user_id, 'end'::text, s.ends_at FROM status_spans s
      WHERE s.ends_at IS NOT NULL AND s.ends_at < p_until
        AND EXISTS (SELECT 1 FROM span_edges e WHERE e.span_id = s.id AND e.edge = 'start')
        AND NOT EXISTS (SELECT 1 FROM span_edges e WHERE e.span_id = s.id AND e.edge = 'end')
    ) due ORDER BY 4 LIMIT p_limit
  $$`;

/** Recurring schedules still active, for the scheduler to materialise their next occurrences. */
export const RECURRING_SCHEDULES_FUNCTION = (schema: string) => `
  CREATE FUNCTION statusync_recurring_schedules(p_limit int)
  RETURNS TABLE (schedule_id uuid, user_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
    SELECT id, user_id FROM scheduled_statuses WHERE rrule IS NOT NULL AND state <> 'cancelled' ORDER BY id LIMIT p_limit
  $$`;
